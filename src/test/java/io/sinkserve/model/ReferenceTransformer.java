package io.sinkserve.model;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.ReferenceStreamingAttention;

/**
 * A deliberately plain forward pass over a {@link TinyModel}: scalar loops, double accumulators, one token
 * at a time, StreamingLLM attention from {@link ReferenceStreamingAttention} (un-rotated keys, sinks + window
 * re-selected and rotated at cache positions every step).
 */
final class ReferenceTransformer {
    private final TinyModel m;
    private final ModelConfig c;
    private final ReferenceStreamingAttention[] attention;

    ReferenceTransformer(TinyModel m, CacheConfig cache) {
        this.m = m;
        this.c = m.config;
        this.attention = new ReferenceStreamingAttention[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            attention[l] = new ReferenceStreamingAttention(cache, c.heads(), c.kvHeads(), c.headDim(), c.ropeDim(), c.ropeNeox(), c.ropeTheta());
        }
    }

    float[] step(int token) {
        float[] x = m.embedding[token].clone();
        for (int l = 0; l < c.layers(); l++) {
            float[] xb = rmsnorm(x, m.attnNorm[l]);
            float[] out = attention[l].step(matvec(m.wq[l], xb, m.bq[l]), matvec(m.wk[l], xb, m.bk[l]), matvec(m.wv[l], xb, m.bv[l]));
            add(x, matvec(m.wo[l], out, null));
            xb = rmsnorm(x, m.ffnNorm[l]);
            float[] g = matvec(m.gate[l], xb, null);
            float[] u = matvec(m.up[l], xb, null);
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
            }
            add(x, matvec(m.down[l], g, null));
        }
        return matvec(m.output, rmsnorm(x, m.outputNorm), null);
    }

    private float[] rmsnorm(float[] x, float[] w) {
        double ss = 0;
        for (float f : x) {
            ss += f * f;
        }
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsEps());
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (x[i] * inv * w[i]);
        }
        return out;
    }

    private static float[] matvec(float[][] w, float[] x, float[] bias) {
        float[] out = new float[w.length];
        for (int r = 0; r < w.length; r++) {
            double s = bias == null ? 0 : bias[r];
            for (int i = 0; i < x.length; i++) {
                s += (double) w[r][i] * x[i];
            }
            out[r] = (float) s;
        }
        return out;
    }

    private static void add(float[] y, float[] x) {
        for (int i = 0; i < y.length; i++) {
            y[i] += x[i];
        }
    }
}
