package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * IEEE half precision. The Vector API has no half-to-float lane conversion, so it is done with integer
 * ops: move exponent and mantissa into float position and rescale by 2^112 (exact for normal and
 * subnormal halves); infinities and NaNs, which that rescale would turn into large finite values, take a
 * rare blend.
 */
final class F16Matrix extends FloatMatrix {
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.F16, data, rows, cols);
    }

    private FloatVector load(long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, data, off, LE).convertShape(VectorOperators.S2I, I, 0);
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
     * Decodes the row in chunks of {@link #SCRATCH} values into {@code scratch} with a plain
     * {@link Float#float16ToFloat} loop, which C2 compiles to the CPU's half-to-float instruction
     * (vcvtph2ps, 8 lanes), then multiplies each chunk while it is in L1: fewer instructions per value
     * than widening in integer lanes, which {@link #dequantize} does to decode every bit pattern exactly.
     */
    @Override
    float dot(int row, float[] x, int xOff, float[] scratch) {
        checkX(x, xOff);
        long base = offset(row, 0);
        float sum = 0f;
        int c = 0;
        for (; c + SCRATCH <= cols; c += SCRATCH) {
            sum += chunkDot(base + 2L * c, SCRATCH, x, xOff + c, scratch);
        }
        return c < cols ? sum + chunkDot(base + 2L * c, cols - c, x, xOff + c, scratch) : sum;
    }

    /** The n values at {@code off} · x[xOff ..), decoded through {@code scratch}. */
    private float chunkDot(long off, int n, float[] x, int xOff, float[] scratch) {
        for (int i = 0; i < n; i++) {
            scratch[i] = Float.float16ToFloat(data.get(SHORT, off + 2L * i));
        }
        int step = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        // i < a multiple of the stride: the counted-loop form C2 unrolls and removes the range checks of
        for (int end = n / (2 * step) * (2 * step); i < end; i += 2 * step) {
            acc0 = FloatVector.fromArray(F, scratch, i).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = FloatVector.fromArray(F, scratch, i + step).fma(FloatVector.fromArray(F, x, xOff + i + step), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += scratch[i] * x[xOff + i];
        }
        return sum;
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long base = offset(row, col);
        int step = F.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            load(base + 2L * i).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = half(data, base + 2L * i);
        }
    }
}
