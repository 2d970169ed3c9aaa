package io.sinkserve.generate;

import io.sinkserve.generate.json.JsonConstraint;

/**
 * Structured output as the sampler's mask: a {@link JsonConstraint}, plus at most one whitespace-only token in a
 * row wherever another token is allowed. JSON lets whitespace in between every two tokens, and a small model
 * will fill that room with blank lines until the token budget runs out (vLLM has a switch for the same failure);
 * inside a string the rule only shapes the content, and when nothing but whitespace may come it gives way, so
 * the mask is never empty.
 */
public final class JsonMask implements TokenMask {
    private final JsonConstraint constraint;
    private final boolean[] blank;
    private boolean afterBlank;

    /** @param blank per token id: whether its text is whitespace only (computed once per model) */
    public JsonMask(JsonConstraint constraint, boolean[] blank) {
        this.constraint = constraint;
        this.blank = blank;
    }

    /** Which tokens of a vocabulary are whitespace only, from each token's bytes. */
    public static boolean[] blankTokens(int vocab, java.util.function.IntFunction<byte[]> tokenBytes) {
        boolean[] blank = new boolean[vocab];
        for (int id = 0; id < vocab; id++) {
            byte[] b = tokenBytes.apply(id);
            boolean ws = b.length > 0;
            for (int i = 0; i < b.length && ws; i++) {
                ws = b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t';
            }
            blank[id] = ws;
        }
        return blank;
    }

    @Override
    public void mask(float[] logits) {
        constraint.mask(logits);
        if (!afterBlank) {
            return;
        }
        int n = Math.min(logits.length, blank.length);
        boolean other = false;
        for (int id = 0; id < n && !other; id++) {
            other = !blank[id] && logits[id] != Float.NEGATIVE_INFINITY;
        }
        if (other) {
            for (int id = 0; id < n; id++) {
                if (blank[id]) {
                    logits[id] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    @Override
    public void accept(int token) {
        constraint.accept(token);
        afterBlank = token < blank.length && blank[token];
    }
}
