package io.sinkserve.compute;

import java.util.Arrays;

/**
 * The many-token product (prefill) for row-group types whose one-token kernel sums each block exactly in
 * 16-bit lanes ({@link Panels}): every token is quantised to 8 bits as for decode, a group's quants are
 * decoded {@value #KC} columns at a time into a k-major panel of 16-bit values, and per 32-column block
 * {@link PanelSums} forms the exact block sums of {@link PanelSums#TOKENS} tokens (six or four, by the register file) and two
 * groups at once in integer lanes (a 16-bit product and add per 32 rows at 512 bits, where a float FMA covers 16); the
 * type then scales each block's sum into the token's float accumulators in block order. That is the one-token kernel's arithmetic, so a token gets the
 * bits of {@link MatMul#matvec} in any batch, and prefill and decode agree bit for bit.
 *
 * <p>The task object is reused between calls (one calling thread at a time) and allocates only when a call
 * needs larger buffers than any before.
 */
final class QuantizedGemm implements ComputePool.RangeTask {
    /** Columns per decoded panel: whole blocks of every type that implements {@link Panels}. */
    static final int KC = 128;
    private static final int ROWS = GroupedMatrix.ROWS;

    /** What a row-group type provides for this GEMM. */
    interface Panels {
        /**
         * Decodes columns {@code [k0, k0 + kc)} (whole blocks) of a group into {@code panel[at + k * ROWS + lane]} (k
         * from 0) as the signed integers its block sums multiply (for Q4_0, q - 8).
         */
        void decodeQuants(int group, int k0, int kc, short[] panel, int at);

        /**
         * Adds the blocks of columns {@code [k0, k0 + kc)} of the group's rows to tokens
         * {@code xs[t0 .. t0 + PanelSums.TOKENS)} with the same float steps as the one-token kernel's, in block order:
         * token j's exact sums of the i-th of these blocks are at {@code sums[at + i * PanelSums.BLOCK + j * ROWS ..]}
         * ({@link PanelSums#panel}), its accumulators at {@code acc[a + j * accumulators() ..]}.
         */
        void addBlocks(int group, int k0, int kc, short[] sums, int at, QuantizedVector[] xs, int t0, float[] acc, int a);

        /** Floats of accumulators per token: {@link GroupedMatrix#ROWS} (one per row) unless the type needs more. */
        default int accumulators() {
            return GroupedMatrix.ROWS;
        }

        /** A token's results for the group's first {@code count} rows from its accumulators at {@code acc[a ..]}. */
        default void finish(float[] acc, int a, float[] out, int outOff, int count) {
            System.arraycopy(acc, a, out, outOff, count);
        }
    }

    private final short[][] panels;
    /** Per worker: a panel's block sums ({@link PanelSums#panel}). */
    private final short[][] blockSums;
    private final float[][] sums;
    /** The call's tokens, quantised, padded to whole sets of {@link PanelSums#TOKENS} with {@link #zero}. */
    private QuantizedVector[] tokens = new QuantizedVector[0];
    private final QuantizedVector zero = new QuantizedVector();
    private GroupedMatrix w;
    private Panels kernels;
    private int n;
    private int nt;
    /** {@link Panels#accumulators} of the call's matrix. */
    private int accStride;
    private float[] out;
    private int outOff;

    QuantizedGemm(int threads) {
        panels = new short[threads][2 * KC * ROWS];
        blockSums = new short[threads][KC / 32 * PanelSums.BLOCK];
        sums = new float[threads][0];
    }

    /**
     * Sets up one call for a matrix that implements {@link Panels}, over {@code n} tokens already quantised in
     * {@code xs[from .. from + n)} (out[outOff + t * rows + r]); then run it over the rows, then {@link #clear} it.
     */
    void prepare(GroupedMatrix w, QuantizedVector[] xs, int from, int n, float[] out, int outOff) {
        this.w = w;
        this.kernels = (Panels) w;
        this.n = n;
        this.out = out;
        this.outOff = outOff;
        nt = (n + PanelSums.TOKENS - 1) / PanelSums.TOKENS * PanelSums.TOKENS;
        accStride = kernels.accumulators();
        if (tokens.length < nt) {
            tokens = new QuantizedVector[nt];
        }
        System.arraycopy(xs, from, tokens, 0, n);
        if (nt > n) {
            if (zero.length < w.cols) {
                zero.quantize(new float[w.cols], 0, w.cols);
            }
            Arrays.fill(tokens, n, nt, zero);
        }
        for (int i = 0; i < sums.length; i++) {
            if (sums[i].length < 2 * nt * accStride) {
                sums[i] = new float[2 * nt * accStride];
            }
        }
    }

    void clear() {
        w = null;
        kernels = null;
        out = null;
        Arrays.fill(tokens, null);
    }

    /**
     * Rows [from, to) in whole groups (the caller's chunks are multiples of a group), two groups at a time: their
     * panels side by side in the worker's panel buffer, their accumulators one after the other. A last odd group is
     * summed against its own panel twice, the second copy's sums unused.
     */
    @Override
    public void run(int from, int to, int worker) {
        short[] panel = panels[worker];
        short[] block = blockSums[worker];
        float[] acc = sums[worker];
        int cols = w.cols;
        int second = nt * accStride;
        for (int g = from / ROWS, end = (to + ROWS - 1) / ROWS; g < end; g += 2) {
            boolean pair = g + 1 < end;
            int other = pair ? KC * ROWS : 0;
            Arrays.fill(acc, 0, pair ? 2 * second : second, 0f);
            for (int k0 = 0; k0 < cols; k0 += KC) {
                int kc = Math.min(KC, cols - k0);
                kernels.decodeQuants(g, k0, kc, panel, 0);
                if (pair) {
                    kernels.decodeQuants(g + 1, k0, kc, panel, other);
                }
                for (int t = 0; t < nt; t += PanelSums.TOKENS) {
                    PanelSums.panel(panel, other, tokens, t, k0, kc, block);
                    kernels.addBlocks(g, k0, kc, block, 0, tokens, t, acc, t * accStride);
                    if (pair) {
                        kernels.addBlocks(g + 1, k0, kc, block, PanelSums.TOKENS * ROWS, tokens, t, acc, second + t * accStride);
                    }
                }
            }
            finish(g, acc, 0);
            if (pair) {
                finish(g + 1, acc, second);
            }
        }
    }

    /** Every token's results for group g from its accumulators at {@code acc[from + t * accStride ..]}. */
    private void finish(int g, float[] acc, int from) {
        int rows = w.rows;
        int first = g * ROWS;
        int count = Math.min(ROWS, rows - first);
        for (int t = 0; t < n; t++) {
            kernels.finish(acc, from + t * accStride, out, outOff + t * rows + first, count);
        }
    }
}
