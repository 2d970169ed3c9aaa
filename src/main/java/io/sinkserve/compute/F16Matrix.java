package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

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
    /** Rows wider than this (an activation of over 16 KiB) are dotted four at a time, see {@link #dot4}. */
    static final int WIDE = 4096;

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
            sum += tail(off, x, xOff + c, i, n, FixedOrder.sum16(a0, a1, a2, a3));
        }
        return sum;
    }

    /**
     * out[outOff + k] = {@link #dot} of row {@code row + k}, k = 0..3, with the same bits: each row keeps its
     * own accumulator in dot's order, and each vector of the activation is loaded once for the four rows.
     * For rows wider than {@link #WIDE}: their activation takes more than half of L1, the streaming weights
     * evict it, and one row at a time then reads it back from L2 for every row. Only where
     * {@link #dotsFourRows} says so.
     */
    void dot4(int row, float[] x, int xOff, float[] out, int outOff) {
        if (!dotsFourRows()) {
            throw new IllegalStateException("rows of " + cols + " columns at " + W + " lanes are dotted one at a time");
        }
        checkX(x, xOff);
        Objects.checkFromIndexSize(row, 4, rows);
        long rowBytes = 2L * cols;
        long base = offset(row, 0);
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        for (int c = 0; c < cols; c += CHUNK) {
            int n = Math.min(CHUNK, cols - c);
            long o0 = base + 2L * c;
            long o1 = o0 + rowBytes;
            long o2 = o1 + rowBytes;
            long o3 = o2 + rowBytes;
            FloatVector z = FloatVector.zero(F);
            FloatVector a0 = z;
            FloatVector a1 = z;
            FloatVector a2 = z;
            FloatVector a3 = z;
            int i = 0;
            for (int end = n / LOGICAL * LOGICAL; i < end; i += LOGICAL) {
                FloatVector v = FloatVector.fromArray(F, x, xOff + c + i);
                long w = 2L * i;
                a0 = load(o0 + w).fma(v, a0);
                a1 = load(o1 + w).fma(v, a1);
                a2 = load(o2 + w).fma(v, a2);
                a3 = load(o3 + w).fma(v, a3);
            }
            int xc = xOff + c;
            s0 += tail(o0, x, xc, i, n, FixedOrder.sum16(a0, z, z, z));
            s1 += tail(o1, x, xc, i, n, FixedOrder.sum16(a1, z, z, z));
            s2 += tail(o2, x, xc, i, n, FixedOrder.sum16(a2, z, z, z));
            s3 += tail(o3, x, xc, i, n, FixedOrder.sum16(a3, z, z, z));
        }
        out[outOff] = s0;
        out[outOff + 1] = s1;
        out[outOff + 2] = s2;
        out[outOff + 3] = s3;
    }

    /**
     * Whether a matvec should take this matrix's rows four at a time ({@link #dot4}): rows wider than
     * {@link #WIDE}, and one vector holding dot's sixteen logical lanes (512 bits). With more accumulators
     * per row C2 stops inlining the loads and boxes the vectors (three times slower at 256 bits).
     */
    boolean dotsFourRows() {
        return W == LOGICAL && cols > WIDE;
    }

    /** chunk + the values [from, n) of a chunk past its whole vectors, in order (dot's scalar tail). */
    private float tail(long off, float[] x, int xi, int from, int n, float chunk) {
        for (int i = from; i < n; i++) {
            chunk = Math.fma(half(data, off + 2L * i), x[xi + i], chunk);
        }
        return chunk;
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
