package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half precision, repacked at load into column-major tiles of {@link #TILE} rows: in tile t (rows
 * {@code t * TILE ..}, {@code n} of them, the last tile possibly fewer), value (row, k) sits at half
 * {@code t * TILE * cols + k * n + row - t * TILE}. A product with one activation is then one fused multiply-add per
 * column k and row: {@code acc[i] = fma(w[k][i], x[k], acc[i])}. A whole tile keeps its {@link #TILE} sums in registers
 * ({@link #tileDots}: each column's weights one contiguous read, widened in integer lanes); a partial tile, a matrix
 * with infinities or NaNs and an activation too large for the tile kernel's scaling take the same arithmetic as plain
 * saxpys ({@link #saxpys}: C2 compiles them to the CPU's half-to-float instruction and a vector FMA).
 *
 * <p>Each row's result is one chain of fused multiply-adds from zero over k in order, in its own lane: the same bits
 * at every vector width (or none), alone or in a batch, on any thread, in either kernel, and in {@link GroupedGemm},
 * which walks k in order with the rows in lanes too, so prefill and decode agree bit for bit. Same bytes as the file's;
 * the file's bytes are read once, at load.
 */
final class F16Matrix extends WeightMatrix implements RowGroups {
    private static final int ROWS = GroupedMatrix.ROWS;
    private static final int LANES = VectorWidth.LANES;
    /**
     * Float vectors a whole tile's sums fill: the accumulators {@link #tileDots} keeps in registers. Four, not eight: with
     * eight, some of C2's compilations of the loop (one JVM in three at 256 bits) left vector operations to the Vector
     * API's Java fallback, about four times slower (bench/KERNELS.md).
     */
    private static final int ACCUMULATORS = 4;
    /**
     * Activation values at or above this magnitude (and NaNs) send a tile to {@link #saxpys}: {@link #tileDots} scales
     * x by 2^112, which must not overflow.
     */
    private static final float SCALABLE = 0x1p16f;
    /**
     * Rows per tile: a run of rows whose weights of one column are adjacent, as many as {@link #tileDots} sums in
     * registers (a multiple of the group size at every width).
     */
    static final int TILE = ACCUMULATORS * LANES;
    /** Rows and columns per block of the load-time transposition (a divisor of {@link #TILE}). */
    private static final int BLOCK = Math.min(64, TILE);

    private final MemorySegment tiles;
    /** No half is an infinity or NaN: whole tiles take {@link #tileDots}, whose widening assumes finite halves. */
    private final boolean finite;

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.F16, data, rows, cols);
        tiles = HugePages.allocate(2L * rows * cols);
        int blocks = (rows + BLOCK - 1) / BLOCK;
        finite = IntStream.range(0, blocks).parallel()
                .map(b -> transpose(data, b * BLOCK, Math.min(rows, (b + 1) * BLOCK))).sum() == 0;
    }

    /**
     * Copies rows [from, to) (at most {@link #BLOCK}, within one tile) into their tile, {@link #BLOCK} columns at a time
     * through two small arrays: the file's row pieces and the tile's column pieces are each one bulk copy. Returns how
     * many of the halves are infinities or NaNs (the all-ones exponent).
     */
    private int transpose(MemorySegment data, int from, int to) {
        int n = to - from;
        short[] byRow = new short[BLOCK * BLOCK];
        short[] byColumn = new short[BLOCK * BLOCK];
        int nonFinite = 0;
        for (int k0 = 0; k0 < cols; k0 += BLOCK) {
            int m = Math.min(BLOCK, cols - k0);
            for (int r = 0; r < n; r++) {
                MemorySegment.copy(data, SHORT, 2 * ((long) (from + r) * cols + k0), byRow, r * BLOCK, m);
            }
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < m; k++) {
                    short h = byRow[r * BLOCK + k];
                    byColumn[k * BLOCK + r] = h;
                    nonFinite += (h & 0x7C00) == 0x7C00 ? 1 : 0;
                }
            }
            for (int k = 0; k < m; k++) {
                MemorySegment.copy(byColumn, k * BLOCK, tiles, SHORT, at(from, k0 + k), n);
            }
        }
        return nonFinite;
    }

    /** Byte offset of value (row, col) in the tiles. */
    private long at(int row, int col) {
        int t0 = row / TILE * TILE;
        return 2L * ((long) t0 * cols + row - t0) + col * step(row);
    }

    /** Bytes from one column to the next in the tile of {@code row}. */
    private long step(int row) {
        return 2L * Math.min(TILE, rows - row / TILE * TILE);
    }

    /** Its GEMM gives every token the saxpys' bits and keeps a batch's sums in registers; the saxpys take one token. */
    @Override
    boolean batchesTakeGemm() {
        return true;
    }

    /** Every kernel reads the repacked tiles. */
    @Override
    public boolean readsSource() {
        return false;
    }

    /** Floats of working space {@link #dots} needs: one tile's sums. */
    int scratchLength() {
        return TILE;
    }

    /**
     * out[outOff + r] = row r · x[xOff ..] for rows [from, to), a run of rows within a tile at a time (more tokens go
     * through {@link GroupedGemm}, which gives each the same bits). {@code sums} holds at least {@link #scratchLength}
     * floats.
     */
    void dots(int from, int to, float[] x, int xOff, float[] out, int outOff, float[] sums) {
        Objects.checkFromToIndex(from, to, rows);
        checkX(x, xOff);
        for (int r = from; r < to; ) {
            int end = Math.min(to, r / TILE * TILE + TILE);
            int n = end - r;
            if (n == TILE && finite && tileDots(at(r, 0), x, xOff, out, outOff + r, sums)) {
                r = end;
                continue;
            }
            Arrays.fill(sums, 0, n, 0f);
            saxpys(tiles, at(r, 0), step(r), cols, x, xOff, sums, n);
            System.arraycopy(sums, 0, out, outOff + r, n);
            r = end;
        }
    }

    /**
     * acc[i] = fma(w[k][i], x[xOff + k], acc[i]) for the n rows from byte {@code off}, column by column, the columns
     * {@code step} bytes apart. A plain loop on purpose: C2 vectorises the inner loop into the half-to-float
     * instruction (F16C, AVX-512) and a vector FMA.
     */
    private static void saxpys(MemorySegment w, long off, long step, int cols, float[] x, int xOff, float[] acc, int n) {
        for (int k = 0; k < cols; k++, off += step) {
            float xk = x[xOff + k];
            for (int i = 0; i < n; i++) {
                acc[i] = Math.fma(Float.float16ToFloat(w.get(SHORT, off + 2L * i)), xk, acc[i]);
            }
        }
    }

    /**
     * out[outOff + i] = row i · x for the {@link #TILE} rows of the whole tile at byte {@code off}, or false (nothing
     * written) where an activation value is not below {@link #SCALABLE} in magnitude. Each row's sum stays in a register
     * from the first column to the last, so a column's weights are one contiguous read and nothing is stored between
     * columns. A 32-bit lane holds two rows' halves: the even row's in its low 16 bits, the odd row's in its high ones.
     * Moved to the top of the lane and shifted back 3 places with its sign, a finite half's sign, exponent and mantissa
     * sit where a float's do, 112 binary places lower (the exponent's top bits clear, subnormals too): that float times
     * x * 2^112 is the exact product w * x, so the fused multiply-add has the saxpys' bits. Finite halves only.
     * {@code sums} (at least {@link #TILE} floats) takes the even and odd rows' sums before they are interleaved.
     */
    private boolean tileDots(long off, float[] x, int xOff, float[] out, int outOff, float[] sums) {
        FloatVector a0 = FloatVector.zero(VectorWidth.FLOAT);
        FloatVector a1 = a0, a2 = a0, a3 = a0;
        long step = 4L * LANES;
        for (int k = 0; k < cols; k++, off += 2L * TILE) {
            float xk = x[xOff + k];
            if (!(Math.abs(xk) < SCALABLE)) {
                return false;
            }
            FloatVector scaled = FloatVector.broadcast(VectorWidth.FLOAT, xk * 0x1p112f);
            IntVector w = IntVector.fromMemorySegment(VectorWidth.INTS, tiles, off, LE);
            a0 = lowHalves(w).fma(scaled, a0);
            a1 = highHalves(w).fma(scaled, a1);
            w = IntVector.fromMemorySegment(VectorWidth.INTS, tiles, off + step, LE);
            a2 = lowHalves(w).fma(scaled, a2);
            a3 = highHalves(w).fma(scaled, a3);
        }
        a0.intoArray(sums, 0);
        a1.intoArray(sums, LANES);
        a2.intoArray(sums, 2 * LANES);
        a3.intoArray(sums, 3 * LANES);
        for (int v = 0; v < TILE; v += 2 * LANES) {
            for (int j = 0; j < LANES; j++) {
                out[outOff + v + 2 * j] = sums[v + j];
                out[outOff + v + 2 * j + 1] = sums[v + LANES + j];
            }
        }
        return true;
    }

    /** The even rows' finite halves of {@code w} as floats 2^112 times too small ({@link #tileDots}). */
    private static FloatVector lowHalves(IntVector w) {
        return highHalves(w.lanewise(VectorOperators.LSHL, 16));
    }

    /** The odd rows' finite halves of {@code w} as floats 2^112 times too small ({@link #tileDots}). */
    private static FloatVector highHalves(IntVector w) {
        return (FloatVector) w.lanewise(VectorOperators.ASHR, 3).and(0x8FFF_E000).reinterpretAsFloats();
    }

    /** One float, where {@link #decodePanel} leaves what its read-ahead loaded. */
    @Override
    public int panelScratch() {
        return 1;
    }

    /** The group's rows are adjacent in every column of their tile ({@link #TILE} is a multiple of the group size). */
    @Override
    public void decodePanel(int group, int k0, int kc, float[] scratch, float[] panel) {
        int r0 = group * ROWS;
        int lanes = Math.min(ROWS, rows - r0);
        long off = at(r0, k0);
        long step = step(r0);
        if (lanes == ROWS) {
            for (int k = 0, p = 0; k < kc; k++, p += ROWS, off += step) {
                halves(off).intoArray(panel, p);
                halves(off + 2L * LANES).intoArray(panel, p + LANES);
            }
            // One load from each of the next panel's lines, all issued at once: the loop above, with its conversions, keeps
            // too few of its loads (a line per column, 2 * TILE bytes apart) in flight to hide their latency
            // (bench/KERNELS.md). The result goes to the scratch so that the loads stay.
            scratch[0] = touch(off, Math.min(cols - k0 - kc, kc), step);
            return;
        }
        // the last group, cut short by the matrix's end
        for (int k = 0, p = 0; k < kc; k++, p += ROWS, off += step) {
            for (int i = 0; i < lanes; i++) {
                panel[p + i] = Float.float16ToFloat(tiles.get(SHORT, off + 2L * i));
            }
            Arrays.fill(panel, p + lanes, p + ROWS, 0f);
        }
    }

    /** ORs the first value of each of n columns from byte {@code off}, {@code step} apart: a read of each one's line. */
    private int touch(long off, int n, long step) {
        int any = 0;
        for (int k = 0; k < n; k++, off += step) {
            any |= tiles.get(SHORT, off);
        }
        return any;
    }

    /**
     * {@link #LANES} halves from byte {@code off}, widened exactly in integer lanes (a group's column is too short for
     * the vectorised plain loop): the magnitude's bits moved up 13 places, read as a float and scaled by 2^112 give
     * every finite half, subnormals too; infinities and NaNs take the all-ones exponent with their payload instead.
     */
    private FloatVector halves(long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(VectorWidth.HALF_SHORTS, tiles, off, LE)
                .convertShape(VectorOperators.S2I, VectorWidth.INTS, 0);
        IntVector magnitude = h.and(0x7FFF);
        IntVector bits = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = ((FloatVector) bits.reinterpretAsFloats()).mul(0x1p112f).reinterpretAsInts();
        IntVector value = finite.blend(bits.or(0x7000_0000), magnitude.compare(VectorOperators.GE, 0x7C00));
        return value.or(h.and(0x8000_0000)).reinterpretAsFloats();
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        Objects.checkIndex(row, rows);
        long step = step(row);
        long off = at(row, col);
        for (int i = 0; i < n; i++, off += step) {
            dst[dstOff + i] = Float.float16ToFloat(tiles.get(SHORT, off));
        }
    }
}
