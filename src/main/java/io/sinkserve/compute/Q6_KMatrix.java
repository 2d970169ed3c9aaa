package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q6_K: super-blocks of 256 values = 16 sub-blocks of 16, each with a signed 8-bit scale. Layout:
 * 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 scales, half d. Each 128-value half n uses
 * ql[64n ..], qh[32n ..]; for l in 0..31 the byte pair ql[l], ql[l + 32] and qh[l] give the four values
 * l, l + 32, l + 64, l + 96 (value = d * scale * (q - 32)).
 */
final class Q6_KMatrix extends WeightMatrix {
    static final int BLOCK_BYTES = 210;

    Q6_KMatrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q6_K, data, rows, cols);
    }

    private ByteVector bytes(long off) {
        return ByteVector.fromMemorySegment(B64, data, off, LE);
    }

    /** The 6-bit value (minus 32) of quarter k (0..3) from low-bits bytes ql (k even: low nibble) and qh. */
    private static FloatVector value(ByteVector ql, ByteVector qh, int k) {
        ByteVector lo = (k & 2) == 0 ? ql.and((byte) 0x0F) : ql.lanewise(VectorOperators.LSHR, 4);
        ByteVector hi = qh.lanewise(VectorOperators.LSHR, 2 * k).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
        return bytesToFloats(lo.or(hi).sub((byte) 32));
    }

    private float scale(long off, int s) {
        return data.get(ValueLayout.JAVA_BYTE, off + 192 + s);
    }

    @Override
    float dot(int row, float[] x, int xOff) {
        checkX(x, xOff);
        long off = offset(row, 0);
        FloatVector acc = FloatVector.zero(F);
        for (int i = xOff, end = xOff + cols; i < end; i += 256, off += BLOCK_BYTES) {
            float d = half(data, off + 208);
            for (int n = 0; n < 2; n++) {
                long ql = off + 64 * n;
                long qh = off + 128 + 32 * n;
                int xn = i + 128 * n;
                // l = 0..15 uses scales 8n + {0,2,4,6}, l = 16..31 scales 8n + {1,3,5,7}
                for (int l = 0; l < 32; l += 16) {
                    ByteVector a0 = bytes(ql + l);
                    ByteVector a1 = bytes(ql + l + 8);
                    ByteVector b0 = bytes(ql + 32 + l);
                    ByteVector b1 = bytes(ql + 32 + l + 8);
                    ByteVector h0 = bytes(qh + l);
                    ByteVector h1 = bytes(qh + l + 8);
                    int s = 8 * n + l / 16;
                    for (int k = 0; k < 4; k++) {
                        ByteVector p0 = (k & 1) == 0 ? a0 : b0;
                        ByteVector p1 = (k & 1) == 0 ? a1 : b1;
                        int xk = xn + 32 * k + l;
                        FloatVector sum = value(p0, h0, k).mul(FloatVector.fromArray(F, x, xk))
                                .add(value(p1, h1, k).mul(FloatVector.fromArray(F, x, xk + 8)));
                        acc = sum.fma(FloatVector.broadcast(F, d * scale(off, s + 2 * k)), acc);
                    }
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 256, off += BLOCK_BYTES) {
            float d = half(data, off + 208);
            for (int h = 0; h < 2; h++) {
                long ql = off + 64 * h;
                long qh = off + 128 + 32 * h;
                for (int l = 0; l < 32; l += 8) {
                    ByteVector a = bytes(ql + l);
                    ByteVector b = bytes(ql + 32 + l);
                    ByteVector hb = bytes(qh + l);
                    int s = 8 * h + l / 16;
                    for (int k = 0; k < 4; k++) {
                        value((k & 1) == 0 ? a : b, hb, k).mul(d * scale(off, s + 2 * k))
                                .intoArray(dst, i + 128 * h + 32 * k + l);
                    }
                }
            }
        }
    }
}
