package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * ggml Q4_0: blocks of 32 values, a half scale d then 16 bytes; byte j holds value j in its low nibble
 * and value j + 16 in its high nibble, both offset by 8: value = d * (nibble - 8).
 */
final class Q4_0Matrix extends QuantizedMatrix implements BlockScaledRows {
    private static final int BLOCK_BYTES = 18;
    private final BlockScales blockScales;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q4_0, data, rows, cols);
        blockScales = new BlockScales(data, rows, cols, BLOCK_BYTES);
    }

    /**
     * Σ d (q - 8) x = Σ d q x - 8 Σ d x: the offset is applied once per row through the activation's
     * block sums, so the vector loop multiplies the raw nibbles (two subtractions fewer per block).
     * Even and odd blocks go to separate accumulators: one chain of dependent FMAs would take an FMA
     * latency per block, more than the rest of the block's work.
     */
    @Override
    float dot(int row, QuantizedVector x, float[] scales) {
        long base = offset(row, 0);
        int blocks = cols / 32;
        blockScales.scaled(row, x, scales);
        // scales[b] * Σ xq = d * x.sum[b] (in scalar code, see FixedOrder#dot)
        float offset = 8f * FixedOrder.dot(scales, 0, x.qsum, 0, blocks);
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = FloatVector.zero(F);
        int b = 0;
        // b < an even bound, not b + 1 < blocks: the counted-loop form C2 unrolls without range checks
        for (int pairs = blocks & ~1; b < pairs; b += 2) {
            even = block(base, b, x.q, scales[b], even);
            odd = block(base, b + 1, x.q, scales[b + 1], odd);
        }
        if (b < blocks) {
            even = block(base, b, x.q, scales[b], even);
        }
        // reduced from the stored lanes (see FixedOrder#sum16(float[], int))
        even.add(odd).intoArray(scales, blocks);
        return FixedOrder.sum8(scales, blocks) - offset;
    }

    /** acc + scale * Σ nibble * xq over block b. */
    private FloatVector block(long base, int b, short[] xq, float scale, FloatVector acc) {
        ShortVector packed = shorts(base + (long) b * BLOCK_BYTES + 2);
        ShortVector p = lowNibble(packed).mul(ShortVector.fromArray(S, xq, 32 * b))
                .add(highNibble(packed).mul(ShortVector.fromArray(S, xq, 32 * b + 16)));
        // q <= 15, |x| <= 127, two products per lane: pairs stay below 2^15
        return accumulateNarrow(p, scale, acc);
    }

    @Override
    public void decodeRow(int row, DecodedRow into) {
        long off = offset(row, 0);
        // raw nibbles and the offset applied through the block sums, exactly as dot does
        into.reset(cols, true, 8f, false);
        blockScales.copy(row, into.scales);
        for (int b = 0, blocks = cols / 32; b < blocks; b++, off += BLOCK_BYTES) {
            ShortVector packed = shorts(off + 2);
            lowNibble(packed).intoArray(into.quants, 32 * b);
            highNibble(packed).intoArray(into.quants, 32 * b + 16);
        }
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
