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

    private static ShortVector low(ShortVector packed) {
        return packed.and((short) 0x0F).sub((short) 8);
    }

    private static ShortVector high(ShortVector packed) {
        return highNibble(packed).sub((short) 8);
    }

    @Override
    float dot(int row, QuantizedVector x, float[] scales) {
        long base = offset(row, 0);
        int blocks = cols / 32;
        halfScaledBlocks(base, BLOCK_BYTES, blocks, x, scales);
        short[] xq = x.q;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            ShortVector packed = shorts(base + (long) b * BLOCK_BYTES + 2);
            ShortVector p = low(packed).mul(ShortVector.fromArray(S, xq, 32 * b))
                    .add(high(packed).mul(ShortVector.fromArray(S, xq, 32 * b + 16)));
            // |(q - 8) x| <= 8 * 127 per product, two per lane: pairs stay far below 2^15
            acc = accumulateNarrow(p, scales[b], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 32, off += BLOCK_BYTES) {
            float d = half(data, off);
            ShortVector packed = shorts(off + 2);
            store(low(packed), d, 0f, dst, i);
            store(high(packed), d, 0f, dst, i + 16);
        }
    }
}
