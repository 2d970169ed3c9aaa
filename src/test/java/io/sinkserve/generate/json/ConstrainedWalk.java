package io.sinkserve.generate.json;

import io.sinkserve.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A stand-in for a model under a {@link JsonConstraint}: each step masks uniform logits and samples
 * uniformly among the tokens left. After {@code freeSteps} it steers towards an end (single-byte,
 * non-whitespace tokens, end-of-generation as soon as allowed) so that documents finish.
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
        for (int step = 0; step < maxSteps; step++) {
            Arrays.fill(logits, 0f);
            constraint.mask(logits);
            List<Integer> allowed = new ArrayList<>();
            List<Integer> ends = new ArrayList<>();
            List<Integer> short1 = new ArrayList<>();
            for (int id = 0; id < logits.length; id++) {
                if (logits[id] == 0f) {
                    allowed.add(id);
                    if (tokenizer.isEndOfGeneration(id)) {
                        ends.add(id);
                    } else if (tokens.bytes(id).length == 1 && !ParseState.isWhitespace(tokens.bytes(id)[0])) {
                        short1.add(id);
                    }
                }
            }
            if (allowed.isEmpty()) {
                throw new AssertionError("empty mask after " + out.toString(java.nio.charset.StandardCharsets.UTF_8));
            }
            if (!ends.isEmpty() != constraint.isComplete()) {
                throw new AssertionError("end-of-generation allowed=" + !ends.isEmpty() + " but complete=" + constraint.isComplete());
            }
            boolean steering = step >= freeSteps;
            if (!ends.isEmpty() && (steering || random.nextInt(4) == 0)) {
                constraint.accept(ends.get(0));
                return new ConstrainedWalk(out.toByteArray(), step);
            }
            List<Integer> pool = steering && !short1.isEmpty() ? short1 : allowed;
            int token = pool.get(random.nextInt(pool.size()));
            if (tokenizer.isEndOfGeneration(token)) {
                constraint.accept(token);
                return new ConstrainedWalk(out.toByteArray(), step);
            }
            constraint.accept(token);
            out.writeBytes(tokens.bytes(token));
        }
        throw new AssertionError("no end within " + maxSteps + " steps: " + out.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
}
