package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/** ggml Q8_0: blocks of 32 values, a half scale d then 32 signed bytes q; value = d * q. */
final class Q8_0Matrix extends QuantizedMatrix implements BlockScaledRows {
    private static final int BLOCK_BYTES = 34;
    private final BlockScales blockScales;

    Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q8_0, data, rows, cols);
        blockScales = new BlockScales(data, rows, cols, BLOCK_BYTES);
    }

    /** Quants 16 * half .. 16 * half + 15 of the block. */
    private ShortVector quants(long blockOff, int half) {
        return shorts(blockOff + 2 + 16 * half);
    }

    /** Even and odd blocks in separate accumulators, like {@link DecodedRow#dot}, which must give the same bits. */
    @Override
    float dot(int row, QuantizedVector x, float[] scales) {
        long base = offset(row, 0);
        int blocks = cols / 32;
        blockScales.scaled(row, x, scales);
        short[] xq = x.q;
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = FloatVector.zero(F);
        int b = 0;
        for (int pairs = blocks & ~1; b < pairs; b += 2) {
            even = block(base, b, xq, scales[b], even);
            odd = block(base, b + 1, xq, scales[b + 1], odd);
        }
        if (b < blocks) {
            even = block(base, b, xq, scales[b], even);
        }
        // reduced from the stored lanes (see FixedOrder#sum16(float[], int))
        even.add(odd).intoArray(scales, blocks);
        return FixedOrder.sum8(scales, blocks);
    }

    private FloatVector block(long base, int b, short[] xq, float scale, FloatVector acc) {
        long off = base + (long) b * BLOCK_BYTES;
        ShortVector p = quants(off, 0).mul(ShortVector.fromArray(S, xq, 32 * b))
                .add(quants(off, 1).mul(ShortVector.fromArray(S, xq, 32 * b + 16)));
        return accumulate(p, scale, acc);
    }

    @Override
    public void decodeRow(int row, DecodedRow into) {
        long off = offset(row, 0);
        into.reset(cols);
        blockScales.copy(row, into.scales);
        for (int b = 0, blocks = cols / 32; b < blocks; b++, off += BLOCK_BYTES) {
            quants(off, 0).intoArray(into.quants, 32 * b);
            quants(off, 1).intoArray(into.quants, 32 * b + 16);
        }
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 32, off += BLOCK_BYTES) {
            float d = half(data, off);
            store(quants(off, 0), d, 0f, dst, i);
            store(quants(off, 1), d, 0f, dst, i + 16);
        }
    }
}
