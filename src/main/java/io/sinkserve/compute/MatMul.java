package io.sinkserve.compute;

import java.util.Arrays;
import java.util.Objects;

/**
 * Matrix products of weight matrices with activations, split by rows across a {@link ComputePool}.
 * {@link #matvec} (one token, decode) runs each type's fused dequantize+dot kernel (the block-quantised types a
 * group of rows at a time, see {@link GroupedMatrix}; F16 a run of rows at a time, a saxpy per column, see
 * {@link F16Matrix}), with the activation quantised to 8 bits once per call for the block-quantised types (the
 * float types take the float activation).
 * {@link #matmul} (many tokens: prefill) reads and decodes the weights once for all tokens and multiplies them
 * in a register-blocked {@link TiledGemm} ({@link GroupedGemm} for the row groups and F16, {@link QuantizedGemm}
 * for Q4_0 and Q4_K); up to {@link #SMALL_BATCH} tokens (batched decode) take the per-token kernels instead, each
 * row (or group) dotted with every token (its 8-bit activation for the block-quantised types) while it is in
 * cache. A token therefore gets the same bits in a batch of up to {@link #SMALL_BATCH} as alone; larger batches go
 * through the GEMM, which for Q4_0, Q4_K and F16 does the per-token kernels' arithmetic (the same bits again) and
 * for the other types sums in another order (for Q8_0 and Q6_K with unquantised activations). F16 batches of any
 * size therefore take its GEMM ({@link WeightMatrix#batchesTakeGemm}). A batch can also be split: its first tokens take the per-token kernels and the
 * rest the GEMM, in one pass over the weights (decode rows beside a prompt chunk).
 *
 * <p>The task objects are reused between calls, so an instance serves one calling thread at a time (a
 * model's forward pass); calls allocate nothing once the buffers have grown to the largest batch.
 */
public final class MatMul {
    /**
     * Up to this many tokens on block-quantised weights go through the per-token kernels (8-bit activations, a
     * token's bits as alone), more through the GEMM. For the row groups the per-token kernels stay the faster
     * ones up to about 16 tokens (bench/KERNELS.md, "Row groups"); 8 keeps the bits every batch had before.
     */
    public static final int SMALL_BATCH = 8;
    /** Rows per {@link GroupedMatrix} group at the widest width (512 bits); every narrower group divides it. */
    private static final int GROUPED_UNIT = 32;

    private final ComputePool pool;
    private QuantizedVector[] activations = new QuantizedVector[SMALL_BATCH];
    private final MatvecTask matvecTask;
    private final TiledGemm gemm;
    private final GroupedGemm groupedGemm;
    private final QuantizedGemm quantizedGemm;
    /** The GEMM of the current call: {@link #gemm}, {@link #groupedGemm} or {@link #quantizedGemm}. */
    private ComputePool.RangeTask many;
    /** Both parts of a split batch over the same rows: the GEMM reads them from memory, the per-token kernels from cache. */
    private final ComputePool.RangeTask bothTask;

    public MatMul(ComputePool pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
        for (int i = 0; i < activations.length; i++) {
            activations[i] = new QuantizedVector();
        }
        this.matvecTask = new MatvecTask(pool.threads());
        this.gemm = new TiledGemm(pool.threads());
        this.groupedGemm = new GroupedGemm(pool.threads());
        this.quantizedGemm = new QuantizedGemm(pool.threads());
        this.bothTask = (from, to, worker) -> {
            many.run(from, to, worker);
            matvecTask.run(from, to, worker);
        };
    }

    /**
     * out[outOff + r] = row r of w · x[xOff .. xOff + cols). For the block-quantised types x is first
     * quantised to 8 bits per 32-value block (as llama.cpp does), which bounds the error by the
     * activation's rounding: |error| <= Σ_blocks max|x_block| / 254 * Σ_block |w|.
     */
    public void matvec(Matrix w, float[] x, int xOff, float[] out, int outOff) {
        WeightMatrix m = (WeightMatrix) w;
        Objects.checkFromIndexSize(xOff, m.cols, x.length);
        Objects.checkFromIndexSize(outOff, m.rows, out.length);
        preparePerToken(m, x, xOff, 1, out, outOff);
        try {
            pool.run(m.rows, rowGrain(m.rows, unit(m, true)), matvecTask);
        } finally {
            matvecTask.clear();
        }
    }

    /**
     * n tokens at once: x is n x cols and out n x rows, both row-major and packed
     * (out[t * rows + r] = row r of w · token t). Up to {@link #SMALL_BATCH} tokens take the per-token kernels,
     * more the GEMM.
     */
    public void matmul(Matrix w, float[] x, int n, float[] out) {
        matmul(w, x, n, n <= SMALL_BATCH ? n : 0, out);
    }

    /**
     * n tokens in two parts, in one pass over the rows of w: tokens [0, perToken) take the per-token kernels
     * (each gets the bits it gets alone) and tokens [perToken, n) the GEMM (each gets the bits the GEMM gives
     * it in any batch). Each block of rows is read from memory once, by the GEMM, and dotted with the
     * per-token part while it is in cache: a forward pass over decode rows and a prompt chunk reads every
     * weight once and gives both the bits of separate calls.
     */
    public void matmul(Matrix w, float[] x, int n, int perToken, float[] out) {
        WeightMatrix m = (WeightMatrix) w;
        if (n < 1) {
            throw new IllegalArgumentException("need at least one token, got " + n);
        }
        Objects.checkIndex(perToken, n + 1);
        Objects.checkFromIndexSize(0, (long) n * m.cols, x.length);
        Objects.checkFromIndexSize(0, (long) n * m.rows, out.length);
        if (n > 1 && m.batchesTakeGemm()) {
            perToken = 0;
        }
        if (perToken > 0) {
            preparePerToken(m, x, 0, perToken, out, 0);
        }
        if (perToken < n) {
            if (m instanceof GroupedMatrix g && m instanceof QuantizedGemm.Panels) {
                quantize(g, x, 0, perToken, n);
                quantizedGemm.prepare(g, activations, perToken, n - perToken, out, perToken * m.rows);
                many = quantizedGemm;
            } else if (m instanceof RowGroups g) {
                groupedGemm.prepare(g, x, perToken * m.cols, n - perToken, out, perToken * m.rows);
                many = groupedGemm;
            } else {
                gemm.prepare(m, x, perToken * m.cols, n - perToken, out, perToken * m.rows);
                many = gemm;
            }
        }
        ComputePool.RangeTask task = perToken == 0 ? many : perToken == n ? matvecTask : bothTask;
        try {
            pool.run(m.rows, rowGrain(m.rows, unit(m, perToken == n)), task);
        } finally {
            matvecTask.clear();
            gemm.clear();
            groupedGemm.clear();
            quantizedGemm.clear();
            many = null;
        }
    }

    /**
     * Rows per chunk of work come in multiples of this: for a {@link GroupedMatrix} whole groups of rows at the
     * widest width, so that a chunk never splits one (pairs of them for the per-token kernels alone and for
     * {@link QuantizedGemm}); whole F16 tiles for its per-token kernels (a partial one takes the slower saxpys); else
     * the per-token kernels' 16 or the GEMM's row group.
     */
    private static int unit(WeightMatrix m, boolean perTokenOnly) {
        if (m instanceof F16Matrix && perTokenOnly) {
            return F16Matrix.TILE;
        }
        if (m instanceof GroupedMatrix && (perTokenOnly || m instanceof QuantizedGemm.Panels)) {
            // pairs of groups: one token's kernel takes two at a time (GroupedMatrix#dotGroupPair), and so does the
            // integer GEMM (PanelSums)
            return 2 * GROUPED_UNIT;
        }
        if (m instanceof RowGroups) {
            return GROUPED_UNIT;
        }
        return perTokenOnly ? 16 : TiledGemm.GROUP;
    }

    /** Sets the per-token task up for n tokens (packed rows of x from xOff) and every row of m: out[outOff + t * rows + r]. */
    private void preparePerToken(WeightMatrix m, float[] x, int xOff, int n, float[] out, int outOff) {
        MatvecTask task = matvecTask;
        if (m instanceof F16Matrix f) {
            task.ensureScales(f.scratchLength());
            task.f16 = f;
            task.x = x;
            task.xOff = xOff;
        } else if (m instanceof FloatMatrix f) {
            task.ensureScales(f.scratchLength());
            task.floats = f;
            task.x = x;
            task.xOff = xOff;
        } else {
            GroupedMatrix g = (GroupedMatrix) m;
            quantize(g, x, xOff, 0, n);
            task.ensureScales(g.scratchLength());
            task.ensureSums(g.sumsLength());
            task.grouped = g;
            task.activations = activations;
        }
        task.tokens = n;
        task.out = out;
        task.outOff = outOff;
    }

    /** Quantises tokens [from, to) of x (packed rows from xOff) into {@link #activations}, growing it as needed. */
    private void quantize(GroupedMatrix m, float[] x, int xOff, int from, int to) {
        QuantizedVector.Forms forms = m.quantForms();
        if (activations.length < to) {
            int had = activations.length;
            activations = Arrays.copyOf(activations, to);
            for (int t = had; t < to; t++) {
                activations[t] = new QuantizedVector();
            }
        }
        for (int t = from; t < to; t++) {
            activations[t].quantize(x, xOff + t * m.cols, m.cols, forms);
        }
    }

    /**
     * About sixteen chunks per thread, in multiples of {@code unit}: the threads finish unevenly (the machine is
     * shared), and the last chunk of a matrix keeps the others waiting for up to its own length.
     */
    private int rowGrain(int rows, int unit) {
        int chunk = rows / (pool.threads() * 16);
        return Math.max(unit, chunk / unit * unit);
    }

    private static final class MatvecTask implements ComputePool.RangeTask {
        QuantizedVector[] activations;
        /** Per worker: GroupedMatrix#dotGroup's working space, FloatMatrix#dot's scratch or F16Matrix#dots' sums. */
        private final float[][] scales;
        /** Per worker: a group's 16-bit block sums (see GroupedMatrix#dotGroup). */
        private final short[][] sums;
        GroupedMatrix grouped;
        /** Tokens dotted with each row; their outputs are {@code rows} apart. */
        int tokens;
        FloatMatrix floats;
        F16Matrix f16;
        float[] x;
        int xOff;
        float[] out;
        int outOff;

        MatvecTask(int threads) {
            this.scales = new float[threads][0];
            this.sums = new short[threads][4 * GroupedMatrix.ROWS];
        }

        void clear() {
            grouped = null;
            floats = null;
            f16 = null;
            x = null;
            out = null;
        }

        /** Grows the per-worker block-sum buffers (only when a wider matrix than any before comes along). */
        void ensureSums(int n) {
            if (sums[0].length < n) {
                for (int i = 0; i < sums.length; i++) {
                    sums[i] = new short[n];
                }
            }
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
            if (grouped != null) {
                // chunks are whole groups (see unit); a group's weights stay in cache for every token
                int rows = grouped.rows;
                int g = from / GroupedMatrix.ROWS;
                int end = (to + GroupedMatrix.ROWS - 1) / GroupedMatrix.ROWS;
                // one token goes straight to the one-token pair kernel inside the batch form
                for (; g + 1 < end; g += 2) {
                    grouped.dotGroupPair(g, activations, tokens, rowScales, sums[worker], out, outOff, rows);
                }
                for (; g < end; g++) {
                    grouped.dotGroup(g, activations, tokens, rowScales, sums[worker], out, outOff, rows);
                }
                return;
            }
            if (f16 != null) {
                // one token: matmul sends more through the GEMM
                f16.dots(from, to, x, xOff, out, outOff, rowScales);
                return;
            }
            int rows = floats.rows;
            int cols = floats.cols;
            for (int r = from; r < to; r++) {
                for (int t = 0; t < tokens; t++) {
                    out[outOff + t * rows + r] = floats.dot(r, x, xOff + t * cols, rowScales);
                }
            }
        }
    }
}
