package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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
        int step = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * step <= cols; i += 2 * step) {
            acc0 = FloatVector.fromMemorySegment(F, data, base + 4L * i, LE)
                    .fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, data, base + 4L * (i + step), LE)
                    .fma(FloatVector.fromArray(F, x, xOff + i + step), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += data.get(FLOAT, base + 4L * i) * x[xOff + i];
        }
        return sum;
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        MemorySegment.copy(data, FLOAT, offset(row, col), dst, dstOff, n);
    }
}
