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
     * After the scalar pass gathers the scale of every 16-value sub-block, one loop step per sub-block g:
     * activation block b = g / 2 is local block t = b % 8, i.e. quarter k = t % 4 of half n = t / 4, and
     * g's parity picks values 0..15 or 16..31 of it. A flat loop with computed offsets and shifts keeps
     * the compiled kernel small enough for C2 to inline every vector operation.
     */
    @Override
    float dot(int row, QuantizedVector x, float[] scales) {
        long base = offset(row, 0);
        int groups = cols / 16;
        for (int sb = 0; sb < groups / 16; sb++) {
            long off = base + (long) sb * BLOCK_BYTES;
            float d = half(data, off + 208);
            for (int g = 0; g < 16; g++) {
                // local sub-block g: half n = g / 8, quarter k = (g % 8) / 2, part g % 2 -> ggml scale 8n + 2k + part
                int n = g >>> 3;
                int k = (g & 7) >>> 1;
                scales[16 * sb + g] = d * scale(off, 8 * n + 2 * k + (g & 1)) * x.scale[(16 * sb + g) >>> 1];
            }
        }
        short[] xq = x.q;
        FloatVector acc = FloatVector.zero(F);
        for (int g = 0; g < groups; g++) {
            int b = g >>> 1;
            long off = base + (long) (b >>> 3) * BLOCK_BYTES;
            int n = (b >>> 2) & 1;
            int k = b & 3;
            int l = (g & 1) * 16;
            ShortVector q = value(shorts(off + 64 * n + 32 * (k & 1) + l), shorts(off + 128 + 32 * n + l), (k >>> 1) * 4, 2 * k);
            // |q - 32| <= 32, |x| <= 127: pairs stay below 2^15
            acc = accumulateNarrow(q.mul(ShortVector.fromArray(S, xq, 16 * g)), scales[g], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
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
