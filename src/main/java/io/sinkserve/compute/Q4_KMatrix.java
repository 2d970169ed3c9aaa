package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_K: super-blocks of 256 values = 8 sub-blocks of 32. Layout: half d, half dmin, 12 bytes of
 * 6-bit sub-block scales and mins (see {@link #scale}), 128 bytes of nibbles. Each 64-value group j
 * reads 32 bytes: low nibbles are sub-block 2j, high nibbles sub-block 2j + 1.
 * value = d * scale[s] * q - dmin * min[s].
 */
final class Q4_KMatrix extends WeightMatrix {
    static final int BLOCK_BYTES = 144;

    Q4_KMatrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q4_K, data, rows, cols);
    }

    /**
     * The 6-bit scale of sub-block s (0..7) from the 12 packed bytes: sub-blocks 0..3 use the low 6 bits
     * of bytes 0..3; sub-blocks 4..7 take 4 low bits from bytes 8..11 and their 2 high bits from the top
     * of bytes 0..3.
     */
    static int scale(MemorySegment m, long scales, int s) {
        return s < 4 ? u8(m, scales + s) & 63
                : (u8(m, scales + s + 4) & 0x0F) | ((u8(m, scales + s - 4) >>> 6) << 4);
    }

    /** The 6-bit min of sub-block s, packed like {@link #scale} in bytes 4..7 and the high nibbles of 8..11. */
    static int min(MemorySegment m, long scales, int s) {
        return s < 4 ? u8(m, scales + s + 4) & 63
                : (u8(m, scales + s + 4) >>> 4) | ((u8(m, scales + s) >>> 6) << 4);
    }

    private static int u8(MemorySegment m, long off) {
        return m.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    private ByteVector packed(long off) {
        return ByteVector.fromMemorySegment(B64, data, off, LE);
    }

    private static FloatVector low(ByteVector b) {
        return bytesToFloats(b.and((byte) 0x0F));
    }

    private static FloatVector high(ByteVector b) {
        return bytesToFloats(b.lanewise(VectorOperators.LSHR, 4));
    }

    @Override
    float dot(int row, float[] x, int xOff) {
        checkX(x, xOff);
        long off = offset(row, 0);
        FloatVector acc = FloatVector.zero(F);
        FloatVector minAcc = FloatVector.zero(F);
        for (int i = xOff, end = xOff + cols; i < end; i += 256, off += BLOCK_BYTES) {
            float d = half(data, off);
            float dmin = half(data, off + 2);
            long scales = off + 4;
            for (int j = 0; j < 4; j++) {
                long qs = off + 16 + 32 * j;
                int xa = i + 64 * j;
                FloatVector sLo = FloatVector.zero(F);
                FloatVector sHi = FloatVector.zero(F);
                FloatVector xLo = FloatVector.zero(F);
                FloatVector xHi = FloatVector.zero(F);
                for (int g = 0; g < 32; g += 8) {
                    ByteVector q = packed(qs + g);
                    FloatVector lo = FloatVector.fromArray(F, x, xa + g);
                    FloatVector hi = FloatVector.fromArray(F, x, xa + 32 + g);
                    sLo = low(q).fma(lo, sLo);
                    sHi = high(q).fma(hi, sHi);
                    xLo = xLo.add(lo);
                    xHi = xHi.add(hi);
                }
                acc = sLo.fma(FloatVector.broadcast(F, d * scale(data, scales, 2 * j)), acc);
                acc = sHi.fma(FloatVector.broadcast(F, d * scale(data, scales, 2 * j + 1)), acc);
                minAcc = xLo.fma(FloatVector.broadcast(F, dmin * min(data, scales, 2 * j)), minAcc);
                minAcc = xHi.fma(FloatVector.broadcast(F, dmin * min(data, scales, 2 * j + 1)), minAcc);
            }
        }
        return acc.sub(minAcc).reduceLanes(VectorOperators.ADD);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 256, off += BLOCK_BYTES) {
            float d = half(data, off);
            float dmin = half(data, off + 2);
            long scales = off + 4;
            for (int j = 0; j < 4; j++) {
                long qs = off + 16 + 32 * j;
                float dLo = d * scale(data, scales, 2 * j);
                float dHi = d * scale(data, scales, 2 * j + 1);
                float mLo = -dmin * min(data, scales, 2 * j);
                float mHi = -dmin * min(data, scales, 2 * j + 1);
                for (int g = 0; g < 32; g += 8) {
                    ByteVector q = packed(qs + g);
                    low(q).fma(dLo, mLo).intoArray(dst, i + 64 * j + g);
                    high(q).fma(dHi, mHi).intoArray(dst, i + 64 * j + 32 + g);
                }
            }
        }
    }
}
