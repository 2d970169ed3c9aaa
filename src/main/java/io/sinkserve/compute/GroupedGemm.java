package io.sinkserve.compute;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The many-token product (prefill) for {@link RowGroups} (the row-group types and F16's column tiles): an
 * outer-product GEMM with the group's rows in vector lanes, the transpose of {@link TiledGemm}'s layout, because
 * the repacked weights already hold a group's rows side by side. Each group's weights are decoded {@value #KC} columns at a time into a k-major
 * float panel (one group-wide vector per column), and the micro-kernel keeps {@value #TOKENS} tokens x two
 * row vectors of sums in twelve registers: per k it loads the two weight vectors and broadcasts six
 * activations, for twelve FMAs.
 *
 * <p>A token's sum for a row is one chain of FMAs over k in order, in its own lane, so its bits depend neither
 * on the batch it came in nor on the vector width or the threads. The task object is reused between calls
 * (one calling thread at a time) and allocates only when a call needs larger buffers than any before.
 */
final class GroupedGemm implements ComputePool.RangeTask {
    /** Tokens per micro-kernel: six tokens by two row vectors fill twelve registers. */
    static final int TOKENS = 6;
    /** Columns per decoded panel: a multiple of every block size. */
    static final int KC = 128;
    private static final VectorSpecies<Float> F = GroupedMatrix.FLOATS;
    private static final int ROWS = GroupedMatrix.ROWS;
    private static final int HALF = ROWS / 2;

    private final float[][] panels;
    private final float[][] sums;
    private final float[][] scratch;
    /** The caller's tokens, row-major from {@link #xOff}; the kernel reads whole sets of {@link #TOKENS} from here. */
    private float[] x;
    private int xOff;
    /** The last, incomplete set of tokens, copied and padded with zero tokens to {@link #TOKENS}. */
    private float[] tail = new float[0];
    private RowGroups w;
    private int n;
    /** n rounded down to whole sets of tokens: tokens from here on are read from {@link #tail}. */
    private int whole;
    /** n rounded up to whole sets of tokens (rows of sums per worker). */
    private int nt;
    private float[] out;
    private int outOff;

    GroupedGemm(int threads) {
        panels = new float[threads][KC * ROWS];
        sums = new float[threads][0];
        scratch = new float[threads][0];
    }

    /** Sets up one call (x: n tokens x cols, packed from xOff; out[outOff + t * rows + r]); then run it over the rows, then {@link #clear} it. */
    void prepare(RowGroups w, float[] x, int xOff, int n, float[] out, int outOff) {
        this.w = w;
        this.n = n;
        this.out = out;
        this.outOff = outOff;
        this.x = x;
        this.xOff = xOff;
        whole = n / TOKENS * TOKENS;
        nt = (n + TOKENS - 1) / TOKENS * TOKENS;
        int cols = w.cols();
        if (whole < n) {
            if (tail.length < TOKENS * cols) {
                tail = new float[TOKENS * cols];
            }
            System.arraycopy(x, xOff + whole * cols, tail, 0, (n - whole) * cols);
            Arrays.fill(tail, (n - whole) * cols, TOKENS * cols, 0f);
        }
        for (int i = 0; i < sums.length; i++) {
            if (sums[i].length < nt * ROWS) {
                sums[i] = new float[nt * ROWS];
            }
            if (scratch[i].length < w.panelScratch()) {
                scratch[i] = new float[w.panelScratch()];
            }
        }
    }

    void clear() {
        w = null;
        x = null;
        out = null;
    }

    /** Rows [from, to) in whole groups (the caller's chunks are multiples of a group). */
    @Override
    public void run(int from, int to, int worker) {
        float[] panel = panels[worker];
        float[] acc = sums[worker];
        int cols = w.cols();
        int rows = w.rows();
        for (int g = from / ROWS, end = (to + ROWS - 1) / ROWS; g < end; g++) {
            Arrays.fill(acc, 0, nt * ROWS, 0f);
            for (int k0 = 0; k0 < cols; k0 += KC) {
                int kc = Math.min(KC, cols - k0);
                w.decodePanel(g, k0, kc, scratch[worker], panel);
                for (int t = 0; t < whole; t += TOKENS) {
                    kernel(panel, kc, x, xOff + t * cols + k0, cols, acc, t * ROWS);
                }
                if (whole < n) {
                    kernel(panel, kc, tail, k0, cols, acc, whole * ROWS);
                }
            }
            int first = g * ROWS;
            int count = Math.min(ROWS, rows - first);
            for (int t = 0; t < n; t++) {
                System.arraycopy(acc, t * ROWS, out, outOff + t * rows + first, count);
            }
        }
    }

    /** acc[token j][row lanes] += Σ_k panel[k][row lanes] * x[token j][k] for six tokens, each k in order. */
    private static void kernel(float[] p, int kc, float[] xs, int xi, int stride, float[] acc, int a) {
        FloatVector a00 = FloatVector.fromArray(F, acc, a), a01 = FloatVector.fromArray(F, acc, a + HALF);
        FloatVector a10 = FloatVector.fromArray(F, acc, a + ROWS), a11 = FloatVector.fromArray(F, acc, a + ROWS + HALF);
        FloatVector a20 = FloatVector.fromArray(F, acc, a + 2 * ROWS), a21 = FloatVector.fromArray(F, acc, a + 2 * ROWS + HALF);
        FloatVector a30 = FloatVector.fromArray(F, acc, a + 3 * ROWS), a31 = FloatVector.fromArray(F, acc, a + 3 * ROWS + HALF);
        FloatVector a40 = FloatVector.fromArray(F, acc, a + 4 * ROWS), a41 = FloatVector.fromArray(F, acc, a + 4 * ROWS + HALF);
        FloatVector a50 = FloatVector.fromArray(F, acc, a + 5 * ROWS), a51 = FloatVector.fromArray(F, acc, a + 5 * ROWS + HALF);
        for (int k = 0, pi = 0; k < kc; k++, xi++, pi += ROWS) {
            FloatVector w0 = FloatVector.fromArray(F, p, pi);
            FloatVector w1 = FloatVector.fromArray(F, p, pi + HALF);
            FloatVector b = FloatVector.broadcast(F, xs[xi]);
            a00 = w0.fma(b, a00);
            a01 = w1.fma(b, a01);
            b = FloatVector.broadcast(F, xs[xi + stride]);
            a10 = w0.fma(b, a10);
            a11 = w1.fma(b, a11);
            b = FloatVector.broadcast(F, xs[xi + 2 * stride]);
            a20 = w0.fma(b, a20);
            a21 = w1.fma(b, a21);
            b = FloatVector.broadcast(F, xs[xi + 3 * stride]);
            a30 = w0.fma(b, a30);
            a31 = w1.fma(b, a31);
            b = FloatVector.broadcast(F, xs[xi + 4 * stride]);
            a40 = w0.fma(b, a40);
            a41 = w1.fma(b, a41);
            b = FloatVector.broadcast(F, xs[xi + 5 * stride]);
            a50 = w0.fma(b, a50);
            a51 = w1.fma(b, a51);
        }
        a00.intoArray(acc, a);
        a01.intoArray(acc, a + HALF);
        a10.intoArray(acc, a + ROWS);
        a11.intoArray(acc, a + ROWS + HALF);
        a20.intoArray(acc, a + 2 * ROWS);
        a21.intoArray(acc, a + 2 * ROWS + HALF);
        a30.intoArray(acc, a + 3 * ROWS);
        a31.intoArray(acc, a + 3 * ROWS + HALF);
        a40.intoArray(acc, a + 4 * ROWS);
        a41.intoArray(acc, a + 4 * ROWS + HALF);
        a50.intoArray(acc, a + 5 * ROWS);
        a51.intoArray(acc, a + 5 * ROWS + HALF);
    }
}
