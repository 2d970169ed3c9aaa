package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_0: blocks of 32 values, a half scale d then 16 bytes; byte j holds value j in its low nibble
 * and value j + 16 in its high nibble, both offset by 8: value = d * (nibble - 8).
 */
final class Q4_0Matrix extends WeightMatrix {
    private static final int BLOCK_BYTES = 18;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q4_0, data, rows, cols);
    }

    private ByteVector packed(long blockOff, int half) {
        return ByteVector.fromMemorySegment(B64, data, blockOff + 2 + 8 * half, LE);
    }

    private static FloatVector low(ByteVector b) {
        return bytesToFloats(b.and((byte) 0x0F).sub((byte) 8));
    }

    private static FloatVector high(ByteVector b) {
        return bytesToFloats(b.lanewise(VectorOperators.LSHR, 4).sub((byte) 8));
    }

    @Override
    float dot(int row, float[] x, int xOff) {
        checkX(x, xOff);
        long off = offset(row, 0);
        FloatVector acc = FloatVector.zero(F);
        for (int i = xOff, end = xOff + cols; i < end; i += 32, off += BLOCK_BYTES) {
            ByteVector a = packed(off, 0);
            ByteVector b = packed(off, 1);
            FloatVector s = low(a).mul(FloatVector.fromArray(F, x, i));
            s = low(b).fma(FloatVector.fromArray(F, x, i + 8), s);
            s = high(a).fma(FloatVector.fromArray(F, x, i + 16), s);
            s = high(b).fma(FloatVector.fromArray(F, x, i + 24), s);
            acc = s.fma(FloatVector.broadcast(F, half(data, off)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 32, off += BLOCK_BYTES) {
            float d = half(data, off);
            ByteVector a = packed(off, 0);
            ByteVector b = packed(off, 1);
            low(a).mul(d).intoArray(dst, i);
            low(b).mul(d).intoArray(dst, i + 8);
            high(a).mul(d).intoArray(dst, i + 16);
            high(b).mul(d).intoArray(dst, i + 24);
        }
    }
}
