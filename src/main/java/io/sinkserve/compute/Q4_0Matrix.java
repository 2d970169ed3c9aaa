package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_0: blocks of 32 values, a half scale d then 16 bytes; byte j holds value j in its low nibble
 * and value j + 16 in its high nibble, both offset by 8: value = d * (nibble - 8).
 */
final class Q4_0Matrix extends QuantizedMatrix {
    private static final int BLOCK_BYTES = 18;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q4_0, data, rows, cols);
    }

    /**
     * Σ d (q - 8) x = Σ d q x - 8 Σ d x: the offset is applied once per row through the activation's
     * block sums, so the vector loop multiplies the raw nibbles (two subtractions fewer per block).
     */
    @Override
    float dot(int row, QuantizedVector x, float[] scales) {
        long base = offset(row, 0);
        int blocks = cols / 32;
        halfScaledBlocks(base, BLOCK_BYTES, blocks, x, scales);
        short[] xq = x.q;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            ShortVector packed = shorts(base + (long) b * BLOCK_BYTES + 2);
            ShortVector p = lowNibble(packed).mul(ShortVector.fromArray(S, xq, 32 * b))
                    .add(highNibble(packed).mul(ShortVector.fromArray(S, xq, 32 * b + 16)));
            // q <= 15, |x| <= 127, two products per lane: pairs stay below 2^15
            acc = accumulateNarrow(p, scales[b], acc);
        }
        // scales[b] * Σ xq = d * x.sum[b]
        return acc.reduceLanes(VectorOperators.ADD) - 8f * FloatOps.dot(scales, 0, x.qsum, 0, blocks);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 32, off += BLOCK_BYTES) {
            float d = half(data, off);
            ShortVector packed = shorts(off + 2);
            store(lowNibble(packed), d, -8f * d, dst, i);
            store(highNibble(packed), d, -8f * d, dst, i + 16);
        }
    }
}
