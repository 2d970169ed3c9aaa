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
 * {@code t * TILE * cols + k * n + row - t * TILE}. A product with one activation is then a series of saxpys, one per
 * column k: {@code acc[i] = fma(w[k][i], x[k], acc[i])} over a run of rows. Written as a plain loop, C2 compiles that to
 * the CPU's half-to-float instruction and a vector FMA (the Vector API has no half-to-float lane conversion), with
 * no widened copy of the weights in between and no horizontal sum.
 *
 * <p>Each row's result is one chain of fused multiply-adds from zero over k in order, in its own lane: the same bits
 * at every vector width (or none), alone or in a batch, on any thread, and in {@link GroupedGemm}, which walks k in
 * order with the rows in lanes too, so prefill and decode agree bit for bit. Same bytes as the file's; the file's
 * bytes are read once, at load.
 */
final class F16Matrix extends WeightMatrix implements RowGroups {
    /** Rows per tile: a run of rows whose weights of one column are adjacent (a multiple of every group size). */
    static final int TILE = 1024;
    private static final int ROWS = GroupedMatrix.ROWS;
    private static final int LANES = VectorWidth.LANES;
    /** Rows and columns per block of the load-time transposition (a divisor of {@link #TILE}). */
    private static final int BLOCK = 64;

    private final MemorySegment tiles;

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.F16, data, rows, cols);
        tiles = HugePages.allocate(2L * rows * cols);
        int blocks = (rows + BLOCK - 1) / BLOCK;
        IntStream.range(0, blocks).parallel().forEach(b -> transpose(data, b * BLOCK, Math.min(rows, (b + 1) * BLOCK)));
    }

    /**
     * Copies rows [from, to) (at most {@link #BLOCK}, within one tile) into their tile, {@link #BLOCK} columns at a time
     * through two small arrays: the file's row pieces and the tile's column pieces are each one bulk copy.
     */
    private void transpose(MemorySegment data, int from, int to) {
        int n = to - from;
        short[] byRow = new short[BLOCK * BLOCK];
        short[] byColumn = new short[BLOCK * BLOCK];
        for (int k0 = 0; k0 < cols; k0 += BLOCK) {
            int m = Math.min(BLOCK, cols - k0);
            for (int r = 0; r < n; r++) {
                MemorySegment.copy(data, SHORT, 2 * ((long) (from + r) * cols + k0), byRow, r * BLOCK, m);
            }
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < m; k++) {
                    byColumn[k * BLOCK + r] = byRow[r * BLOCK + k];
                }
            }
            for (int k = 0; k < m; k++) {
                MemorySegment.copy(byColumn, k * BLOCK, tiles, SHORT, at(from, k0 + k), n);
            }
        }
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
            // too few of its loads (a line 2 KiB from the last) in flight to hide their latency (bench/KERNELS.md). The
            // result goes to the scratch so that the loads stay.
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
