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

    private float scale(long off, int s) {
        return data.get(ValueLayout.JAVA_BYTE, off + 192 + s);
    }

    /**
     * After the scalar pass gathers the scale of every 16-value sub-block, the vector loop takes each
     * 128-value half n of a super-block in four steps t = (k, l) for quarter k = 0, 1 and values
     * l = 0 or 16 .. l + 15 of it: the 16 bytes ql[16 t] hold quarter k in their low nibbles and quarter
     * k + 2 in their high ones, so each ql byte is loaded once (each qh byte twice), and the ql, x and
     * scale offsets grow linearly with t.
     */
    @Override
    float dot(int row, QuantizedVector x, float[] scales) {
        long base = offset(row, 0);
        int superBlocks = cols / 256;
        for (int sb = 0; sb < superBlocks; sb++) {
            long off = base + (long) sb * BLOCK_BYTES;
            float d = half(data, off + 208);
            // the 16 signed scales as two words; sub-blocks 2b and 2b + 1 share activation block b
            long lo = data.get(LONG, off + 192);
            long hi = data.get(LONG, off + 200);
            for (int b = 0; b < 4; b++) {
                int g = 16 * sb + 2 * b;
                float dx = d * x.scale[8 * sb + b];
                scales[g] = dx * (byte) (lo >>> 16 * b);
                scales[g + 1] = dx * (byte) (lo >>> 16 * b + 8);
                float dxHigh = d * x.scale[8 * sb + b + 4];
                scales[g + 8] = dxHigh * (byte) (hi >>> 16 * b);
                scales[g + 9] = dxHigh * (byte) (hi >>> 16 * b + 8);
            }
        }
        short[] xq = x.q;
        // quarters k and k + 2 in separate accumulators: two independent FMA chains
        FloatVector accLow = FloatVector.zero(F);
        FloatVector accHigh = FloatVector.zero(F);
        for (int sb = 0; sb < superBlocks; sb++) {
            for (int n = 0; n < 2; n++) {
                long ql = base + (long) sb * BLOCK_BYTES + 64 * n;
                long qh = base + (long) sb * BLOCK_BYTES + 128 + 32 * n;
                int xo = 256 * sb + 128 * n;
                int so = 16 * sb + 8 * n;
                for (int t = 0; t < 4; t++) {
                    ShortVector low = shorts(ql + 16 * t);
                    // bits 2k, 2k + 1 of qh are quarter k's high bits, bits 2k + 4, 2k + 5 quarter k + 2's
                    ShortVector high = shorts(qh + 16 * (t & 1)).lanewise(VectorOperators.LSHR, t & 2);
                    // |q - 32| <= 32, |x| <= 127: pairs stay below 2^15
                    ShortVector q = lowNibble(low).or(high.and((short) 0x03).lanewise(VectorOperators.LSHL, 4)).sub((short) 32);
                    accLow = accumulateNarrow(q.mul(ShortVector.fromArray(S, xq, xo + 16 * t)), scales[so + t], accLow);
                    q = highNibble(low).or(high.and((short) 0x30)).sub((short) 32);
                    accHigh = accumulateNarrow(q.mul(ShortVector.fromArray(S, xq, xo + 16 * t + 64)), scales[so + t + 4], accHigh);
                }
            }
        }
        return FixedOrder.sum8(accLow.add(accHigh));
    }

    /** (low bits from ql >> nibbleShift) | (2 high bits from qh >> highShift) << 4, minus 32. */
    private static ShortVector value(ShortVector ql, ShortVector qh, int nibbleShift, int highShift) {
        ShortVector lo = ql.lanewise(VectorOperators.LSHR, nibbleShift).and((short) 0x0F);
        ShortVector hi = qh.lanewise(VectorOperators.LSHR, highShift).and((short) 3).lanewise(VectorOperators.LSHL, 4);
        return lo.or(hi).sub((short) 32);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 256, off += BLOCK_BYTES) {
            float d = half(data, off + 208);
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 4; k++) {
                    long ql = off + 64 * h + 32 * (k & 1);
                    long qh = off + 128 + 32 * h;
                    for (int l = 0; l < 32; l += 16) {
                        store(value(shorts(ql + l), shorts(qh + l), (k >>> 1) * 4, 2 * k),
                                d * scale(off, 8 * h + 2 * k + l / 16), 0f, dst, i + 128 * h + 32 * k + l);
                    }
                }
            }
        }
    }
}
