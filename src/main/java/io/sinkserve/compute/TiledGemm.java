package io.sinkserve.compute;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The many-token matrix product (prefill, batched decode) as an outer-product GEMM with tokens in vector
 * lanes. The activations are transposed once per call (k-major within blocks of two vectors of tokens,
 * padded with zeros to whole vectors); the weights are decoded {@value #ROWS} rows x {@value #KC} columns at a time
 * into a small row-major panel, and the micro-kernel keeps a {@value #ROWS} rows x two-vector block of
 * sums in twelve registers while it walks k: per k it loads two vectors of activations and broadcasts
 * six weights, for twelve FMAs. Every weight is decoded once per call and every FMA works on a
 * full vector of useful lanes; no horizontal sums are needed.
 *
 * <p>A token's sums depend only on its own lane: each k panel is summed in k order and the panels are
 * added in order, so its bits do not depend on the batch it came in, the vector width or the threads.
 *
 * <p>Rows are handled in groups of {@value #GROUP} whose partial sums stay in a per-worker buffer across
 * the k panels, so each panel of activations is reused by all the group's rows while it is in cache.
 * The task object is reused between calls (one calling thread at a time) and allocates only when a call
 * needs larger buffers than any before.
 */
final class TiledGemm implements ComputePool.RangeTask {
    static final int ROWS = 6;
    static final int GROUP = 8 * ROWS;
    /** Columns per decoded panel: a multiple of every block size (256 for the K-quants). */
    static final int KC = 256;
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final int LANES = VectorWidth.LANES;
    /** Tokens per micro-kernel: two vectors. */
    private static final int BLOCK = 2 * LANES;

    private final float[][] panels;
    private final float[][] sums;
    private float[] xT = new float[0];
    private WeightMatrix w;
    private int n;
    /** n rounded up to whole vectors: the tokens in {@link #xT} and per row in the sums. */
    private int nt;
    private float[] out;
    private int outOff;

    TiledGemm(int threads) {
        panels = new float[threads][ROWS * KC];
        sums = new float[threads][0];
    }

    /**
     * Sets up one call (x: n tokens x cols, packed from xOff; out[outOff + t * rows + r]); then run it over the
     * rows, then {@link #clear} it.
     */
    void prepare(WeightMatrix w, float[] x, int xOff, int n, float[] out, int outOff) {
        this.w = w;
        this.n = n;
        this.out = out;
        this.outOff = outOff;
        int cols = w.cols;
        nt = (n + LANES - 1) / LANES * LANES;
        if (xT.length < cols * nt) {
            xT = new float[cols * nt];
        }
        if (sums[0].length < GROUP * nt) {
            for (int i = 0; i < sums.length; i++) {
                sums[i] = new float[GROUP * nt];
            }
        }
        // Token blocks of two vectors (the last one one vector wide when nt is an odd number of them), each k-major, so a
        // kernel walks its block with a constant stride the JIT can drop the bounds checks for.
        for (int t0 = 0; t0 < nt; t0 += BLOCK) {
            int width = Math.min(BLOCK, nt - t0);
            int base = t0 * cols;
            for (int lane = 0; lane < width; lane++) {
                int t = t0 + lane;
                if (t < n) {
                    for (int k = 0, from = xOff + t * cols, to = base + lane; k < cols; k++, to += width) {
                        xT[to] = x[from + k];
                    }
                } else {
                    for (int k = 0, to = base + lane; k < cols; k++, to += width) {
                        xT[to] = 0f;
                    }
                }
            }
        }
    }

    void clear() {
        w = null;
        out = null;
    }

    @Override
    public void run(int from, int to, int worker) {
        float[] panel = panels[worker];
        float[] acc = sums[worker];
        int cols = w.cols;
        for (int g = from; g < to; g += GROUP) {
            int groupEnd = Math.min(g + GROUP, to);
            Arrays.fill(acc, 0, GROUP * nt, 0f);
            for (int k0 = 0; k0 < cols; k0 += KC) {
                int kc = Math.min(KC, cols - k0);
                for (int r = g; r < groupEnd; r += ROWS) {
                    // Past the group's end the last row is decoded again; its sums are never written out.
                    for (int i = 0; i < ROWS; i++) {
                        w.dequantize(Math.min(r + i, groupEnd - 1), k0, kc, panel, i * KC);
                    }
                    int accRow = (r - g) * nt;
                    for (int t = 0; t < nt; t += BLOCK) {
                        int width = Math.min(BLOCK, nt - t);
                        if (width == BLOCK) {
                            kernel2(panel, kc, t * cols + k0 * width, width, acc, accRow + t);
                        } else {
                            kernel1(panel, kc, t * cols + k0 * width, width, acc, accRow + t);
                        }
                    }
                }
            }
            int rows = w.rows;
            for (int t = 0; t < n; t++) {
                // out is token-major: walk its rows contiguously, the sums (in L1) by stride
                for (int r = g, a = t; r < groupEnd; r++, a += nt) {
                    out[outOff + t * rows + r] = acc[a];
                }
            }
        }
    }

    /**
     * acc[row i][2 vectors of tokens] += Σ_k panel[i][k] * xT[k][those tokens] for the six panel rows. The stride (the
     * block's width) comes in at run time on purpose: with a constant stride C2 unrolls this loop and runs
     * out of registers, which measured twice as slow.
     */
    private void kernel2(float[] p, int kc, int xi, int width, float[] acc, int a) {
        float[] x = xT;
        int s = nt;
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z;
        FloatVector a30 = z, a31 = z, a40 = z, a41 = z, a50 = z, a51 = z;
        for (int k = 0; k < kc; k++, xi += width) {
            FloatVector v0 = FloatVector.fromArray(F, x, xi);
            FloatVector v1 = FloatVector.fromArray(F, x, xi + LANES);
            FloatVector b = FloatVector.broadcast(F, p[k]);
            a00 = v0.fma(b, a00);
            a01 = v1.fma(b, a01);
            b = FloatVector.broadcast(F, p[KC + k]);
            a10 = v0.fma(b, a10);
            a11 = v1.fma(b, a11);
            b = FloatVector.broadcast(F, p[2 * KC + k]);
            a20 = v0.fma(b, a20);
            a21 = v1.fma(b, a21);
            b = FloatVector.broadcast(F, p[3 * KC + k]);
            a30 = v0.fma(b, a30);
            a31 = v1.fma(b, a31);
            b = FloatVector.broadcast(F, p[4 * KC + k]);
            a40 = v0.fma(b, a40);
            a41 = v1.fma(b, a41);
            b = FloatVector.broadcast(F, p[5 * KC + k]);
            a50 = v0.fma(b, a50);
            a51 = v1.fma(b, a51);
        }
        add(acc, a, a00, a01);
        add(acc, a + s, a10, a11);
        add(acc, a + 2 * s, a20, a21);
        add(acc, a + 3 * s, a30, a31);
        add(acc, a + 4 * s, a40, a41);
        add(acc, a + 5 * s, a50, a51);
    }

    /**
     * The one-vector variant (the last vector of tokens). It sums each k in order like {@link #kernel2},
     * so a token gets the same bits whichever kernel its block takes, i.e. whatever the batch size.
     */
    private void kernel1(float[] p, int kc, int xi, int width, float[] acc, int a) {
        float[] x = xT;
        int s = nt;
        FloatVector z = FloatVector.zero(F);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z;
        for (int k = 0; k < kc; k++, xi += width) {
            FloatVector v = FloatVector.fromArray(F, x, xi);
            a0 = v.fma(FloatVector.broadcast(F, p[k]), a0);
            a1 = v.fma(FloatVector.broadcast(F, p[KC + k]), a1);
            a2 = v.fma(FloatVector.broadcast(F, p[2 * KC + k]), a2);
            a3 = v.fma(FloatVector.broadcast(F, p[3 * KC + k]), a3);
            a4 = v.fma(FloatVector.broadcast(F, p[4 * KC + k]), a4);
            a5 = v.fma(FloatVector.broadcast(F, p[5 * KC + k]), a5);
        }
        add(acc, a, a0);
        add(acc, a + s, a1);
        add(acc, a + 2 * s, a2);
        add(acc, a + 3 * s, a3);
        add(acc, a + 4 * s, a4);
        add(acc, a + 5 * s, a5);
    }

    private static void add(float[] acc, int at, FloatVector lo, FloatVector hi) {
        FloatVector.fromArray(F, acc, at).add(lo).intoArray(acc, at);
        FloatVector.fromArray(F, acc, at + LANES).add(hi).intoArray(acc, at + LANES);
    }

    private static void add(float[] acc, int at, FloatVector v) {
        FloatVector.fromArray(F, acc, at).add(v).intoArray(acc, at);
    }
}
