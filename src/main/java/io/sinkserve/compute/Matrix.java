package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

/**
 * A row-major weight matrix [rows x cols] in its ggml encoding (typically a slice of an mmapped GGUF file: a
 * tensor with shape {cols, rows}). The float types are read in place; the block-quantised types are repacked
 * once, at construction, into row groups their kernels read (see {@link #readsSource}).
 */
public sealed interface Matrix permits WeightMatrix {

    /** Wraps {@code data}, which must hold exactly {@code rows * cols} values of {@code type}. */
    static Matrix of(TensorType type, MemorySegment data, int rows, int cols) {
        return switch (type) {
            case F32 -> new F32Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case BF16 -> new BF16Matrix(data, rows, cols);
            case Q8_0 -> new Q8_0Matrix(data, rows, cols);
            case Q4_0 -> new Q4_0Matrix(data, rows, cols);
            case Q4_K -> new Q4_KMatrix(data, rows, cols);
            case Q6_K -> new Q6_KMatrix(data, rows, cols);
        };
    }

    TensorType type();

    int rows();

    int cols();

    /**
     * Whether the matrix reads the segment it was made from after construction: false for the types repacked at
     * load ({@link GroupedMatrix}), whose source pages a caller may release (a mapped file's, see
     * {@link MemorySegment#unload}).
     */
    boolean readsSource();

    /** Decodes row {@code row} into {@code dst[dstOff .. dstOff + cols)}. */
    void dequantizeRow(int row, float[] dst, int dstOff);
}
