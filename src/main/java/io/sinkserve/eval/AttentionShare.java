package io.sinkserve.eval;

import io.sinkserve.cache.Admission;
import io.sinkserve.cache.AttentionObserver;

/**
 * Share of attention mass each query head puts on the first k entries of its cache (in a dense cache: the
 * first k tokens of the stream), averaged over queries, beside what uniform attention would give (k / n).
 * StreamingLLM's premise is that trained models dump far more than the uniform share on the first tokens.
 */
public final class AttentionShare implements AttentionObserver {
    private final int[] firsts;
    private final long from;
    private final int heads;
    private final double[] share;   // [layer][head][k] flattened
    private final double[] uniform;
    private final long[] queries;   // [layer][head]

    /** Counts queries at stream positions {@code >= from} (early queries see few tokens, so any share is large). */
    public AttentionShare(int layers, int heads, long from, int... firsts) {
        this.firsts = firsts.clone();
        this.from = from;
        this.heads = heads;
        this.share = new double[layers * heads * firsts.length];
        this.uniform = new double[layers * heads * firsts.length];
        this.queries = new long[layers * heads];
    }

    /** Safe without locks: the model never observes the same layer and head from two threads at once. */
    @Override
    public void observe(int layer, int head, Admission admission, float[] weights) {
        if (admission.position() < from) {
            return;
        }
        int n = admission.count();
        int lh = layer * heads + head;
        queries[lh]++;
        for (int f = 0; f < firsts.length; f++) {
            int k = Math.min(firsts[f], n);
            double s = 0;
            for (int i = 0; i < k; i++) {
                s += weights[i];
            }
            share[lh * firsts.length + f] += s;
            uniform[lh * firsts.length + f] += (double) k / n;
        }
    }

    /** Mean attention on the first {@code firsts[f]} entries (as given to the constructor) for this layer and head. */
    public double share(int layer, int head, int f) {
        int lh = layer * heads + head;
        return share[lh * firsts.length + f] / queries[lh];
    }

    /** What uniform attention over the visible entries would put there, averaged the same way. */
    public double uniformShare(int layer, int head, int f) {
        int lh = layer * heads + head;
        return uniform[lh * firsts.length + f] / queries[lh];
    }

    public long queries(int layer, int head) {
        return queries[layer * heads + head];
    }

    /** Mean over the heads of a layer of {@link #share}. */
    public double layerShare(int layer, int f) {
        double s = 0;
        for (int h = 0; h < heads; h++) {
            s += share(layer, h, f);
        }
        return s / heads;
    }
}
