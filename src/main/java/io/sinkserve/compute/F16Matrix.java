package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * IEEE half precision. The Vector API has no half-to-float lane conversion, so it is done with integer
 * ops: move exponent and mantissa into float position and rescale by 2^112 (exact for normal and
 * subnormal halves); infinities and NaNs, which that rescale would turn into large finite values, take a
 * rare blend.
 */
final class F16Matrix extends FloatMatrix {
    /** Values per partial dot of a row: part of {@link #dot}'s fixed summation order. */
    static final int CHUNK = 1024;

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.F16, data, rows, cols);
    }

    private FloatVector load(long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(VectorWidth.HALF_SHORTS, data, off, LE)
                .convertShape(VectorOperators.S2I, VectorWidth.INTS, 0);
        // h is sign-extended: after << 13 bit 31 is the sign, bits 30..28 are sign copies to clear.
        IntVector bits = h.lanewise(VectorOperators.LSHL, 13).and(0x8FFF_E000);
        FloatVector f = ((FloatVector) bits.reinterpretShape(F, 0)).mul(0x1p112f);
        VectorMask<Integer> special = h.and(0x7C00).compare(VectorOperators.EQ, 0x7C00);
        if (special.anyTrue()) {
            f = f.blend((FloatVector) bits.or(0x7F80_0000).reinterpretShape(F, 0), special.cast(F));
        }
        return f;
    }

    /**
     * Widens each vector of halves in integer lanes ({@link #load}, exact, as {@link #dequantize} does) and
     * FMAs it with the activation at once, in {@link FloatOps#dot}'s logical 16-lane order, one dot per
     * {@link #CHUNK}-value chunk, the chunks summed in order.
     */
    @Override
    float dot(int row, float[] x, int xOff, float[] scratch) {
        checkX(x, xOff);
        long base = offset(row, 0);
        float sum = 0f;
        for (int c = 0; c < cols; c += CHUNK) {
            int n = Math.min(CHUNK, cols - c);
            long off = base + 2L * c;
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int i = 0;
            for (int end = n / LOGICAL * LOGICAL; i < end; i += LOGICAL) {
                a0 = load(off + 2L * i).fma(FloatVector.fromArray(F, x, xOff + c + i), a0);
                if (W < LOGICAL) {
                    a1 = load(off + 2L * (i + W)).fma(FloatVector.fromArray(F, x, xOff + c + i + W), a1);
                }
                if (W < LOGICAL / 2) {
                    a2 = load(off + 2L * (i + 2 * W)).fma(FloatVector.fromArray(F, x, xOff + c + i + 2 * W), a2);
                    a3 = load(off + 2L * (i + 3 * W)).fma(FloatVector.fromArray(F, x, xOff + c + i + 3 * W), a3);
                }
            }
            float chunk = FixedOrder.sum16(a0, a1, a2, a3);
            for (; i < n; i++) {
                chunk = Math.fma(half(data, off + 2L * i), x[xOff + c + i], chunk);
            }
            sum += chunk;
        }
        return sum;
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long base = offset(row, col);
        int i = 0;
        for (; i + W <= n; i += W) {
            load(base + 2L * i).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = half(data, base + 2L * i);
        }
    }
}
