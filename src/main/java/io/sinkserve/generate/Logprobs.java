package io.sinkserve.generate;

import java.util.ArrayList;
import java.util.List;

/**
 * Computes {@link TokenLogprob}s from raw logits: one pass for the log-sum-exp, a partial selection for the
 * top alternatives. One per generation; its scratch is sized to the vocabulary once.
 */
public final class Logprobs {
    /** OpenAI's limit on top_logprobs. */
    public static final int MAX_TOP = 20;

    private final int vocab;
    private final int top;
    private final int[] order;

    /** @param top alternatives per position, 0..{@value #MAX_TOP} */
    public Logprobs(int vocab, int top) {
        if (top < 0 || top > MAX_TOP) {
            throw new IllegalArgumentException("top logprobs must be between 0 and " + MAX_TOP + ", got " + top);
        }
        this.vocab = vocab;
        this.top = top;
        this.order = top > 0 ? new int[vocab] : new int[0];
    }

    /** The logprob of {@code token} and the top alternatives under {@code logits[0, vocab)}, which are not modified. */
    public TokenLogprob of(float[] logits, int token) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[i] - max);
        }
        float logZ = (float) (max + Math.log(sum));
        List<TokenLogprob.Alternative> alternatives = new ArrayList<>(top);
        if (top > 0) {
            for (int i = 0; i < vocab; i++) {
                order[i] = i;
            }
            int n = Math.min(top, vocab);
            IndexSort.topSorted(order, logits, 0, vocab, n);
            for (int i = 0; i < n; i++) {
                alternatives.add(new TokenLogprob.Alternative(order[i], logits[order[i]] - logZ));
            }
        }
        return new TokenLogprob(token, logits[token] - logZ, List.copyOf(alternatives));
    }
}
