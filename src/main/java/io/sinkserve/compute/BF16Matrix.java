package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** bfloat16: the upper half of a float32, so widening is a 16-bit shift. */
final class BF16Matrix extends FloatMatrix {
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

    BF16Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.BF16, data, rows, cols);
    }

    private FloatVector load(long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, data, off, LE).convertShape(VectorOperators.S2I, I, 0);
        return (FloatVector) h.lanewise(VectorOperators.LSHL, 16).reinterpretShape(F, 0);
    }

    private static float scalar(short h) {
        return Float.intBitsToFloat(h << 16);
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
            acc0 = load(base + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = load(base + 2L * (i + step)).fma(FloatVector.fromArray(F, x, xOff + i + step), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += scalar(data.get(SHORT, base + 2L * i)) * x[xOff + i];
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
            dst[dstOff + i] = scalar(data.get(SHORT, base + 2L * i));
        }
    }
}
