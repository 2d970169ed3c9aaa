package io.sinkserve.cache;

import java.util.ArrayList;
import java.util.List;

/**
 * The deliberately simple StreamingLLM attention the tests trust: every key and value kept un-rotated, the
 * kept tokens tracked as a list of stream indices, and at every step the sinks + window selected and
 * rotated at their positions in the cache (0, 1, 2, ...), the query at the next. Double precision, naive.
 */
public final class ReferenceStreamingAttention {
    private final int sinkSlots;
    private final int window;
    private final EvictionPolicy policy;
    private final int batch;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int ropeDim;
    private final boolean neox;
    private final double base;
    private final boolean half;
    private final List<float[]> keys = new ArrayList<>();
    private final List<float[]> values = new ArrayList<>();
    private final List<Integer> kept = new ArrayList<>();

    public ReferenceStreamingAttention(CacheConfig c, int heads, int kvHeads, int headDim, int ropeDim, boolean neox, double base) {
        this.sinkSlots = Math.max(c.sinks(), c.pinnedPrefix());
        this.window = c.window();
        this.policy = c.policy();
        this.batch = c.batchSize();
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.ropeDim = ropeDim;
        this.neox = neox;
        this.base = base;
        this.half = c.storage() == KvStorage.F16;
    }

    /** F16 storage keeps values at half precision (keys too, though the real cache rounds them after rotation). */
    private float[] stored(float[] x) {
        float[] s = x.clone();
        if (half) {
            for (int i = 0; i < s.length; i++) {
                s[i] = Float.float16ToFloat(Float.floatToFloat16(s[i]));
            }
        }
        return s;
    }

    /** Feeds one token (un-rotated q for all heads, k and v for all KV heads) and returns the attention output of every head. */
    public float[] step(float[] q, float[] k, float[] v) {
        int t = keys.size();
        keys.add(stored(k));
        values.add(stored(v));
        if (kept.size() >= sinkSlots && kept.size() - sinkSlots == window) {
            int drop = policy == EvictionPolicy.BATCH ? batch : 1;
            for (int i = 0; i < drop; i++) {
                kept.remove(sinkSlots);
            }
        }
        kept.add(t);
        int n = kept.size();
        float[] out = new float[heads * headDim];
        for (int h = 0; h < heads; h++) {
            int kv = h / (heads / kvHeads);
            double[] qr = rotate(q, h * headDim, n - 1);
            double[] scores = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double[] kr = rotate(keys.get(kept.get(j)), kv * headDim, j);
                double s = 0;
                for (int d = 0; d < headDim; d++) {
                    s += qr[d] * kr[d];
                }
                scores[j] = s / Math.sqrt(headDim);
                max = Math.max(max, scores[j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                scores[j] = Math.exp(scores[j] - max);
                sum += scores[j];
            }
            for (int j = 0; j < n; j++) {
                float[] val = values.get(kept.get(j));
                for (int d = 0; d < headDim; d++) {
                    out[h * headDim + d] += (float) (scores[j] / sum * val[kv * headDim + d]);
                }
            }
        }
        return out;
    }

    private double[] rotate(float[] x, int off, long position) {
        double[] r = new double[headDim];
        for (int d = 0; d < headDim; d++) {
            r[d] = x[off + d];
        }
        for (int i = 0; i < ropeDim / 2; i++) {
            double angle = position * Math.pow(base, -2.0 * i / ropeDim);
            int a = neox ? i : 2 * i;
            int b = neox ? i + ropeDim / 2 : 2 * i + 1;
            double x0 = r[a];
            double x1 = r[b];
            r[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
            r[b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
        }
        return r;
    }
}
