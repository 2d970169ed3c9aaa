package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

import jdk.incubator.vector.VectorSpecies;

/**
 * Shared state and helpers of the per-type matrices. Each type owns its block decode, fused into a dot
 * product with an activation vector and into a dequantizer; row scheduling lives in {@link MatMul}.
 *
 * <p>The float kernels run at {@link VectorWidth}'s width and accumulate in its fixed logical layout, so
 * that every width gives the same bits; the block-quantised ones see {@link GroupedMatrix}.
 */
abstract sealed class WeightMatrix implements Matrix permits FloatMatrix, GroupedMatrix, F16Matrix {

    static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    /** Float lanes per vector. */
    static final int W = VectorWidth.LANES;
    static final int LOGICAL = VectorWidth.LOGICAL_LANES;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);


    final TensorType type;
    final MemorySegment data;
    final int rows;
    final int cols;
    final long rowBytes;

    WeightMatrix(TensorType type, MemorySegment data, int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("matrix shape must be positive, got " + rows + " x " + cols);
        }
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " rows need a multiple of " + type.blockSize()
                    + " columns, got " + cols);
        }
        this.type = type;
        this.data = Objects.requireNonNull(data, "data");
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.byteSize(cols);
        long expected = rowBytes * rows;
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(type + " matrix " + rows + " x " + cols + " needs " + expected
                    + " bytes, segment has " + data.byteSize());
        }
    }

    @Override
    public final TensorType type() {
        return type;
    }

    @Override
    public final int rows() {
        return rows;
    }

    @Override
    public final int cols() {
        return cols;
    }

    @Override
    public boolean readsSource() {
        return true;
    }

    /**
     * Whether every batch of two or more tokens should take {@link MatMul}'s GEMM, even tokens the caller sent to the
     * per-token kernels: true only where the GEMM gives each token the per-token kernels' bits and is the faster
     * path for any batch.
     */
    boolean batchesTakeGemm() {
        return false;
    }

    @Override
    public final void dequantizeRow(int row, float[] dst, int dstOff) {
        dequantize(row, 0, cols, dst, dstOff);
    }

    /**
     * Decodes columns {@code [col, col + n)} of a row into {@code dst[dstOff ..)}; {@code col} and {@code n}
     * are multiples of the block size (matmul decodes rows panel by panel).
     */
    abstract void dequantize(int row, int col, int n, float[] dst, int dstOff);

    /** Byte offset of the block holding column {@code col} (a block boundary) of row {@code row}. */
    final long offset(int row, int col) {
        Objects.checkIndex(row, rows);
        return row * rowBytes + (long) (col / type.blockSize()) * type.bytesPerBlock();
    }

    final void checkX(float[] x, int xOff) {
        Objects.checkFromIndexSize(xOff, cols, x.length);
    }

    static float half(MemorySegment s, long off) {
        return Float.float16ToFloat(s.get(SHORT, off));
    }
}
