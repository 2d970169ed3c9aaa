package io.sinkserve.compute;

import java.util.Objects;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix products of weight matrices with activations, split by rows across a {@link ComputePool}.
 * {@link #matvec} (one token, decode) runs each type's fused dequantize+dot kernel per row, with the
 * activation quantised to 8 bits once per call for the block-quantised types. {@link #matmul}
 * (many tokens: prefill, batched decode) reads the weights once for all tokens: it decodes a panel of
 * {@value #TILE_ROWS} rows into a small per-thread buffer and multiplies it with {@value #TILE_TOKENS}
 * tokens at a time in registers.
 *
 * <p>The task objects are reused between calls, so an instance serves one calling thread at a time (a
 * model's forward pass); calls allocate nothing.
 */
public final class MatMul {
    static final int TILE_ROWS = 4;
    static final int TILE_TOKENS = 3;
    /** Columns per decoded panel: 4 rows x 512 floats stay in L1 while every token streams past them. */
    static final int PANEL_COLS = 512;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    private final ComputePool pool;
    private final QuantizedVector activation = new QuantizedVector();
    private final MatvecTask matvecTask;
    private final MatmulTask matmulTask;

    public MatMul(ComputePool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.matvecTask = new MatvecTask(activation, pool.threads());
        this.matmulTask = new MatmulTask(pool.threads());
    }

    /**
     * out[outOff + r] = row r of w · x[xOff .. xOff + cols). For block-quantised weights x is first
     * quantised to 8 bits per 32-value block (as llama.cpp does), which bounds the error by the
     * activation's rounding: |error| <= Σ_blocks max|x_block| / 254 * Σ_block |w|.
     */
    public void matvec(Matrix w, float[] x, int xOff, float[] out, int outOff) {
        WeightMatrix m = (WeightMatrix) w;
        Objects.checkFromIndexSize(xOff, m.cols, x.length);
        Objects.checkFromIndexSize(outOff, m.rows, out.length);
        MatvecTask t = matvecTask;
        if (m instanceof QuantizedMatrix q) {
            activation.quantize(x, xOff, m.cols);
            t.ensureScales(m.cols / 16);
            t.quantized = q;
        } else {
            t.ensureScales(FloatMatrix.SCRATCH);
            t.floats = (FloatMatrix) m;
            t.x = x;
            t.xOff = xOff;
        }
        t.out = out;
        t.outOff = outOff;
        try {
            pool.run(m.rows, rowGrain(m.rows, 16), t);
        } finally {
            t.quantized = null;
            t.floats = null;
            t.x = null;
            t.out = null;
        }
    }

    /**
     * n tokens at once: x is n x cols and out n x rows, both row-major and packed
     * (out[t * rows + r] = row r of w · token t).
     */
    public void matmul(Matrix w, float[] x, int n, float[] out) {
        WeightMatrix m = (WeightMatrix) w;
        if (n < 1) {
            throw new IllegalArgumentException("need at least one token, got " + n);
        }
        Objects.checkFromIndexSize(0, (long) n * m.cols, x.length);
        Objects.checkFromIndexSize(0, (long) n * m.rows, out.length);
        if (n == 1) {
            matvec(w, x, 0, out, 0);
            return;
        }
        MatmulTask t = matmulTask;
        t.w = m;
        t.x = x;
        t.n = n;
        t.out = out;
        try {
            pool.run(m.rows, rowGrain(m.rows, TILE_ROWS), t);
        } finally {
            t.w = null;
            t.x = null;
            t.out = null;
        }
    }

    /** About four chunks per thread (the machine is shared, so threads finish unevenly), in multiples of {@code unit}. */
    private int rowGrain(int rows, int unit) {
        int chunk = rows / (pool.threads() * 4);
        return Math.max(unit, chunk / unit * unit);
    }

    private static final class MatvecTask implements ComputePool.RangeTask {
        private final QuantizedVector activation;
        /** Per worker: block scales of the row being dotted (see QuantizedMatrix#dot), or FloatMatrix#dot's scratch. */
        private final float[][] scales;
        QuantizedMatrix quantized;
        FloatMatrix floats;
        float[] x;
        int xOff;
        float[] out;
        int outOff;

        MatvecTask(QuantizedVector activation, int threads) {
            this.activation = activation;
            this.scales = new float[threads][0];
        }

        /** Grows the per-worker scale buffers (only when a wider matrix than any before comes along). */
        void ensureScales(int n) {
            if (scales[0].length < n) {
                for (int i = 0; i < scales.length; i++) {
                    scales[i] = new float[n];
                }
            }
        }

        @Override
        public void run(int from, int to, int worker) {
            float[] rowScales = scales[worker];
            if (quantized != null) {
                for (int r = from; r < to; r++) {
                    out[outOff + r] = quantized.dot(r, activation, rowScales);
                }
            } else {
                for (int r = from; r < to; r++) {
                    out[outOff + r] = floats.dot(r, x, xOff, rowScales);
                }
            }
        }
    }

    private static final class MatmulTask implements ComputePool.RangeTask {
        private final float[][] panels;
        private final float[][] sums;
        WeightMatrix w;
        float[] x;
        int n;
        float[] out;

        MatmulTask(int threads) {
            panels = new float[threads][TILE_ROWS * PANEL_COLS];
            sums = new float[threads][TILE_ROWS * TILE_TOKENS];
        }

        @Override
        public void run(int from, int to, int worker) {
            float[] panel = panels[worker];
            int cols = w.cols;
            int panelCols = PANEL_COLS / w.type.blockSize() * w.type.blockSize();
            for (int k0 = 0; k0 < cols; k0 += panelCols) {
                int kc = Math.min(panelCols, cols - k0);
                for (int r = from; r < to; r += TILE_ROWS) {
                    // Past the end of the range the last row is decoded again; its results are dropped.
                    for (int i = 0; i < TILE_ROWS; i++) {
                        w.dequantize(Math.min(r + i, to - 1), k0, kc, panel, i * PANEL_COLS);
                    }
                    for (int t = 0; t < n; t += TILE_TOKENS) {
                        tile(panel, sums[worker], kc, k0, r, to, t);
                    }
                }
            }
        }

        /** Accumulates the 4 x 3 dot products of panel rows with tokens t .. t + 2 into out (s: scratch). */
        private void tile(float[] p, float[] s, int kc, int k0, int r, int rowEnd, int t) {
            int cols = w.cols;
            int x0 = t * cols + k0;
            int x1 = Math.min(t + 1, n - 1) * cols + k0;
            int x2 = Math.min(t + 2, n - 1) * cols + k0;
            int p1 = PANEL_COLS;
            int p2 = 2 * PANEL_COLS;
            int p3 = 3 * PANEL_COLS;
            FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
            FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
            FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
            int step = F.length();
            int k = 0;
            for (; k + step <= kc; k += step) {
                FloatVector w0 = FloatVector.fromArray(F, p, k);
                FloatVector w1 = FloatVector.fromArray(F, p, p1 + k);
                FloatVector w2 = FloatVector.fromArray(F, p, p2 + k);
                FloatVector w3 = FloatVector.fromArray(F, p, p3 + k);
                FloatVector v = FloatVector.fromArray(F, x, x0 + k);
                a00 = w0.fma(v, a00);
                a01 = w1.fma(v, a01);
                a02 = w2.fma(v, a02);
                a03 = w3.fma(v, a03);
                v = FloatVector.fromArray(F, x, x1 + k);
                a10 = w0.fma(v, a10);
                a11 = w1.fma(v, a11);
                a12 = w2.fma(v, a12);
                a13 = w3.fma(v, a13);
                v = FloatVector.fromArray(F, x, x2 + k);
                a20 = w0.fma(v, a20);
                a21 = w1.fma(v, a21);
                a22 = w2.fma(v, a22);
                a23 = w3.fma(v, a23);
            }
            s[0] = a00.reduceLanes(VectorOperators.ADD);
            s[1] = a01.reduceLanes(VectorOperators.ADD);
            s[2] = a02.reduceLanes(VectorOperators.ADD);
            s[3] = a03.reduceLanes(VectorOperators.ADD);
            s[4] = a10.reduceLanes(VectorOperators.ADD);
            s[5] = a11.reduceLanes(VectorOperators.ADD);
            s[6] = a12.reduceLanes(VectorOperators.ADD);
            s[7] = a13.reduceLanes(VectorOperators.ADD);
            s[8] = a20.reduceLanes(VectorOperators.ADD);
            s[9] = a21.reduceLanes(VectorOperators.ADD);
            s[10] = a22.reduceLanes(VectorOperators.ADD);
            s[11] = a23.reduceLanes(VectorOperators.ADD);
            int rows = w.rows;
            for (int j = 0; j < TILE_TOKENS && t + j < n; j++) {
                int xj = j == 0 ? x0 : j == 1 ? x1 : x2;
                for (int i = 0; i < TILE_ROWS && r + i < rowEnd; i++) {
                    float sum = s[j * TILE_ROWS + i];
                    for (int kk = k; kk < kc; kk++) {
                        sum += p[i * PANEL_COLS + kk] * x[xj + kk];
                    }
                    int o = (t + j) * rows + r + i;
                    out[o] = k0 == 0 ? sum : out[o] + sum;
                }
            }
        }
    }
}
