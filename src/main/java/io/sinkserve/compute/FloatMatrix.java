package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

/** Matrices dotted with the float activation a row at a time: F32 and BF16 (F16 see {@link F16Matrix}). */
abstract sealed class FloatMatrix extends WeightMatrix permits F32Matrix, BF16Matrix {

    FloatMatrix(TensorType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
    }

    /** Floats of working space a {@link #dot} needs. */
    static final int SCRATCH = 4096;

    /** The floats of working space {@link #dot} needs for this matrix: {@link #SCRATCH} unless a type needs more. */
    int scratchLength() {
        return SCRATCH;
    }

    /**
     * Row {@code row} · {@code x[xOff .. xOff + cols)}; {@code scratch} holds at least {@link #scratchLength}
     * floats of working space for types that decode a chunk of the row before multiplying it.
     */
    abstract float dot(int row, float[] x, int xOff, float[] scratch);
}
