package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

/** Matrices of plain floating-point values (F32, F16, BF16): dotted with float activations directly. */
abstract sealed class FloatMatrix extends WeightMatrix permits F32Matrix, F16Matrix, BF16Matrix {

    FloatMatrix(TensorType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
    }

    /** Row {@code row} · {@code x[xOff .. xOff + cols)}. */
    abstract float dot(int row, float[] x, int xOff);
}
