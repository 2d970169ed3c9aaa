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
        return FloatOps.dot(scratch, 0, x, xOff, n);
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
