package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.FloatVector;

/** Plain little-endian floats. */
final class F32Matrix extends FloatMatrix {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    F32Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.F32, data, rows, cols);
    }

    @Override
    float dot(int row, float[] x, int xOff, float[] scratch) {
        checkX(x, xOff);
        long base = offset(row, 0);
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int i = 0;
        // the logical layout of FloatOps#dot: value i to lane i mod 16, whatever the width
        for (int end = cols / LOGICAL * LOGICAL; i < end; i += LOGICAL) {
            a0 = load(base, i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            if (W < LOGICAL) {
                a1 = load(base, i + W).fma(FloatVector.fromArray(F, x, xOff + i + W), a1);
            }
            if (W < LOGICAL / 2) {
                a2 = load(base, i + 2 * W).fma(FloatVector.fromArray(F, x, xOff + i + 2 * W), a2);
                a3 = load(base, i + 3 * W).fma(FloatVector.fromArray(F, x, xOff + i + 3 * W), a3);
            }
        }
        float sum = FixedOrder.sum16(a0, a1, a2, a3);
        for (; i < cols; i++) {
            sum = Math.fma(data.get(FLOAT, base + 4L * i), x[xOff + i], sum);
        }
        return sum;
    }

    private FloatVector load(long base, int i) {
        return FloatVector.fromMemorySegment(F, data, base + 4L * i, LE);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        MemorySegment.copy(data, FLOAT, offset(row, col), dst, dstOff, n);
    }
}
