package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** ggml Q8_0: blocks of 32 values, a half scale d then 32 signed bytes q; value = d * q. */
final class Q8_0Matrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 34;

    Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q8_0, data, rows, cols);
    }

    private FloatVector quants(long blockOff, int group) {
        return bytesToFloats(ByteVector.fromMemorySegment(B64, data, blockOff + 2 + 8 * group, LE));
    }

    @Override
    float dot(int row, float[] x, int xOff) {
        checkX(x, xOff);
        long off = offset(row, 0);
        FloatVector acc = FloatVector.zero(F);
        for (int i = xOff, end = xOff + cols; i < end; i += 32, off += BLOCK_BYTES) {
            FloatVector s = quants(off, 0).mul(FloatVector.fromArray(F, x, i));
            s = quants(off, 1).fma(FloatVector.fromArray(F, x, i + 8), s);
            s = quants(off, 2).fma(FloatVector.fromArray(F, x, i + 16), s);
            s = quants(off, 3).fma(FloatVector.fromArray(F, x, i + 24), s);
            acc = s.fma(FloatVector.broadcast(F, half(data, off)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 32, off += BLOCK_BYTES) {
            float d = half(data, off);
            for (int g = 0; g < 4; g++) {
                quants(off, g).mul(d).intoArray(dst, i + 8 * g);
            }
        }
    }
}
