package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** bfloat16: the upper half of a float32, so widening is a 16-bit shift. */
final class BF16Matrix extends FloatMatrix {

    BF16Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.BF16, data, rows, cols);
    }

    private FloatVector load(long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(VectorWidth.HALF_SHORTS, data, off, LE)
                .convertShape(VectorOperators.S2I, VectorWidth.INTS, 0);
        return (FloatVector) h.lanewise(VectorOperators.LSHL, 16).reinterpretShape(F, 0);
    }

    private static float scalar(short h) {
        return Float.intBitsToFloat(h << 16);
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
            a0 = load(base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            if (W < LOGICAL) {
                a1 = load(base + 2L * (i + W)).fma(FloatVector.fromArray(F, x, xOff + i + W), a1);
            }
            if (W < LOGICAL / 2) {
                a2 = load(base + 2L * (i + 2 * W)).fma(FloatVector.fromArray(F, x, xOff + i + 2 * W), a2);
                a3 = load(base + 2L * (i + 3 * W)).fma(FloatVector.fromArray(F, x, xOff + i + 3 * W), a3);
            }
        }
        float sum = FixedOrder.sum16(a0, a1, a2, a3);
        for (; i < cols; i++) {
            sum = Math.fma(scalar(data.get(SHORT, base + 2L * i)), x[xOff + i], sum);
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
            dst[dstOff + i] = scalar(data.get(SHORT, base + 2L * i));
        }
    }
}
