package io.sinkserve.generate;

import java.util.Arrays;
import java.util.Map;

/**
 * OpenAI's {@code logit_bias}: a value added to chosen tokens' logits before sampling (after it, -100 all but
 * bans a token and +100 all but forces it). Immutable; applied to the sampler's working copy, never to the
 * model's logits, so reported logprobs stay the model's own.
 */
public final class LogitBias {
    public static final LogitBias NONE = new LogitBias(new int[0], new float[0]);
    /** OpenAI's range for a bias. */
    public static final float LIMIT = 100f;

    private final int[] tokens;
    private final float[] values;

    private LogitBias(int[] tokens, float[] values) {
        this.tokens = tokens;
        this.values = values;
    }

    /** @throws IllegalArgumentException for a token outside {@code [0, vocab)} or a bias outside ±{@link #LIMIT} */
    public static LogitBias of(Map<Integer, Float> bias, int vocab) {
        int[] tokens = new int[bias.size()];
        float[] values = new float[bias.size()];
        int i = 0;
        for (var e : bias.entrySet()) {
            int t = e.getKey();
            float v = e.getValue();
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException("token " + t + " is not in the vocabulary (0.." + (vocab - 1) + ")");
            }
            if (!(v >= -LIMIT && v <= LIMIT)) {
                throw new IllegalArgumentException("the bias of token " + t + " must be between -100 and 100, got " + v);
            }
            tokens[i] = t;
            values[i++] = v;
        }
        return new LogitBias(tokens, values);
    }

    public boolean isEmpty() {
        return tokens.length == 0;
    }

    void apply(float[] logits) {
        for (int i = 0; i < tokens.length; i++) {
            logits[tokens[i]] += values[i];
        }
    }

    @Override
    public String toString() {
        return "LogitBias" + Arrays.toString(tokens) + "=" + Arrays.toString(values);
    }
}
