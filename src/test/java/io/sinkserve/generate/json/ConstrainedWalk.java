package io.sinkserve.generate.json;

import io.sinkserve.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * A stand-in for a model under a {@link JsonConstraint}: each step masks uniform logits and samples
 * uniformly among the tokens left (end-of-generation included, once allowed). After {@code freeSteps}
 * it steers towards an end (single-byte, non-whitespace tokens, end-of-generation as soon as allowed)
 * so that documents finish. It checks on the way that the mask is never empty and allows
 * end-of-generation exactly when the document is complete.
 */
final class ConstrainedWalk {
    final byte[] document;
    final int steps;

    private ConstrainedWalk(byte[] document, int steps) {
        this.document = document;
        this.steps = steps;
    }

    static ConstrainedWalk run(JsonGrammar grammar, Tokenizer tokenizer, TokenBytes tokens, Random random,
                               int freeSteps, int maxSteps) {
        JsonConstraint constraint = new JsonConstraint(grammar, tokens, tokenizer::isEndOfGeneration);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        float[] logits = new float[tokenizer.vocabSize()];
        int[] allowed = new int[logits.length];
        int[] steer = new int[logits.length];
        for (int step = 0; step < maxSteps; step++) {
            Arrays.fill(logits, 0f);
            constraint.mask(logits);
            int nAllowed = 0;
            int nSteer = 0;
            int end = -1;
            for (int id = 0; id < logits.length; id++) {
                if (logits[id] == 0f) {
                    allowed[nAllowed++] = id;
                    byte[] bytes = tokens.bytes(id);
                    if (bytes.length == 0) {
                        end = id;
                    } else if (bytes.length == 1 && !ParseState.isWhitespace(bytes[0])) {
                        steer[nSteer++] = id;
                    }
                }
            }
            if (nAllowed == 0) {
                throw new AssertionError("empty mask after " + out.toString(StandardCharsets.UTF_8));
            }
            if ((end >= 0) != constraint.isComplete() || (end >= 0 && !tokenizer.isEndOfGeneration(end))) {
                throw new AssertionError("end-of-generation allowed=" + (end >= 0) + " but complete=" + constraint.isComplete());
            }
            boolean steering = step >= freeSteps;
            int token = steering && end >= 0 ? end
                    : steering && nSteer > 0 ? steer[random.nextInt(nSteer)]
                    : allowed[random.nextInt(nAllowed)];
            constraint.accept(token);
            if (token == end) {
                return new ConstrainedWalk(out.toByteArray(), step);
            }
            out.writeBytes(tokens.bytes(token));
        }
        throw new AssertionError("no end within " + maxSteps + " steps: " + out.toString(StandardCharsets.UTF_8));
    }
}
