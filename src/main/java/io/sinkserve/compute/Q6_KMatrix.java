package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q6_K: super-blocks of 256 values = 16 sub-blocks of 16, each with a signed 8-bit scale. Layout:
 * 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 scales, half d. Each 128-value half n uses
 * ql[64n ..], qh[32n ..]; for l in 0..31 the byte pair ql[l], ql[l + 32] and qh[l] give the four values
 * l, l + 32, l + 64, l + 96 (value = d * scale * (q - 32)).
 */
final class Q6_KMatrix extends QuantizedMatrix {
    static final int BLOCK_BYTES = 210;

    Q6_KMatrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q6_K, data, rows, cols);
    }

    /**
     * The quants (minus 32) of values l .. l + 15 of quarter k (0..3): low 4 bits from the low (k < 2) or
     * high nibble of ql[l ..] (k even) or ql[l + 32 ..] (k odd), high 2 bits from bits 2k .. 2k + 1 of qh[l ..].
     */
    private static ShortVector value(ShortVector qlA, ShortVector qlB, ShortVector qh, int k) {
        ShortVector ql = (k & 1) == 0 ? qlA : qlB;
        ShortVector lo = k < 2 ? ql.and((short) 0x0F) : highNibble(ql);
        ShortVector hi = qh.lanewise(VectorOperators.LSHR, 2 * k).and((short) 3).lanewise(VectorOperators.LSHL, 4);
        return lo.or(hi).sub((short) 32);
    }

    private float scale(long off, int s) {
        return data.get(ValueLayout.JAVA_BYTE, off + 192 + s);
    }

    @Override
    float dot(int row, QuantizedVector x) {
        long off = offset(row, 0);
        short[] xq = x.q;
        FloatVector acc = FloatVector.zero(F);
        for (int sb = 0, blocks = cols / 256; sb < blocks; sb++, off += BLOCK_BYTES) {
            float d = half(data, off + 208);
            for (int n = 0; n < 2; n++) {
                long ql = off + 64 * n;
                long qh = off + 128 + 32 * n;
                for (int l = 0; l < 32; l += 16) {
                    ShortVector a = shorts(ql + l);
                    ShortVector b = shorts(ql + 32 + l);
                    ShortVector h = shorts(qh + l);
                    for (int k = 0; k < 4; k++) {
                        int xi = 256 * sb + 128 * n + 32 * k + l;
                        ShortVector p = value(a, b, h, k).mul(ShortVector.fromArray(S, xq, xi));
                        acc = accumulate(p, d * scale(off, 8 * n + l / 16 + 2 * k) * x.scale[xi / 32], acc);
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
                for (int l = 0; l < 32; l += 16) {
                    ShortVector a = shorts(ql + l);
                    ShortVector b = shorts(ql + 32 + l);
                    ShortVector hb = shorts(qh + l);
                    for (int k = 0; k < 4; k++) {
                        store(value(a, b, hb, k), d * scale(off, 8 * h + l / 16 + 2 * k), 0f, dst, i + 128 * h + 32 * k + l);
                    }
                }
            }
        }
    }
}
