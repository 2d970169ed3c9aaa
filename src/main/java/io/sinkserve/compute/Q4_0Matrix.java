package io.sinkserve.compute;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_0: blocks of 32 values, a half scale d then 16 bytes; byte j holds value j in its low nibble
 * and value j + 16 in its high nibble, both offset by 8: value = d * (nibble - 8).
 *
 * <p>Repacked at load (see {@link GroupedMatrix}): per group and block, eight 16-bit words per row, word q of
 * row r holding the row's nibbles 4q .. 4q + 3 of the block (nibble 4q + i in bits 4i .. 4i + 3), stored as
 * eight vectors of {@link #ROWS} lanes off-heap; the scales per group and block in row order, widened to float
 * on the heap so that no kernel converts them per token. 20 bytes per 32 values against the file's 18; the
 * file's bytes are read once, at load.
 */
final class Q4_0Matrix extends GroupedMatrix {
    private static final int BLOCK_BYTES = 18;
    private final int blocks;
    /** [group][block][word q][row lane]: four nibbles per 16-bit word. */
    private final MemorySegment words;
    /** [group][block][row lane]: the scales d. */
    private final float[] scales;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q4_0, data, rows, cols);
        blocks = cols / 32;
        long padded = (long) groups * ROWS * blocks;
        if (padded > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Q4_0 matrix of " + padded + " blocks is too large for one scale array");
        }
        scales = new float[(int) padded];
        words = Arena.ofAuto().allocate(padded * 16, 64);
        for (int r = 0; r < rows; r++) {
            int g = r / ROWS;
            int lane = r % ROWS;
            long src = (long) r * rowBytes;
            for (int b = 0; b < blocks; b++, src += BLOCK_BYTES) {
                int block = g * blocks + b;
                scales[block * ROWS + lane] = half(data, src);
                long lo = data.get(LONG, src + 2);
                long hi = data.get(LONG, src + 10);
                for (int q = 0; q < 8; q++) {
                    int word = 0;
                    for (int i = 0; i < 4; i++) {
                        word |= nibble(lo, hi, 4 * q + i) << 4 * i;
                    }
                    words.set(SHORT, wordOffset(block, q, lane), (short) word);
                }
            }
        }
    }

    /** Value k (0..31) of a block whose 16 quant bytes are the little-endian longs lo, hi. */
    private static int nibble(long lo, long hi, int k) {
        int j = k & 15;
        long bytes = j < 8 ? lo : hi;
        int b = (int) (bytes >>> 8 * (j & 7)) & 0xFF;
        return k < 16 ? b & 0x0F : b >>> 4;
    }

    private static long wordOffset(int block, int q, int lane) {
        return (((long) block * 8 + q) * ROWS + lane) * 2;
    }

    @Override
    int scratchLength() {
        return ROWS;
    }

    /**
     * Per block, Σ (q - 8) x over its 32 values for every row of the group, summed in 16-bit lanes as
     * Σ q x - 8 Σ x modulo 2^16: the true sum is at most 32 * 8 * 127 in magnitude, so the wrapped result is
     * exact. It is then scaled by d * x's block scale, one fused multiply-add per block, in block order.
     */
    @Override
    void dotGroup(int group, QuantizedVector[] xs, int tokens, float[] scratch, float[] out, int outOff, int outStride) {
        for (int t = 0; t < tokens; t++) {
            dotGroup(group, xs[t], scratch, out, outOff + t * outStride);
        }
    }

    /** One token. Even and odd nibbles sum in two chains of 16-bit adds. */
    private void dotGroup(int group, QuantizedVector x, float[] scratch, float[] out, int outOff) {
        short[] xq = x.q;
        float[] qsum = x.qsum;
        float[] xs = x.scale;
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = FloatVector.zero(FLOATS);
        long off = wordOffset(group * blocks, 0, 0);
        float[] d = scales;
        int first = group * blocks * ROWS;
        for (int b = 0; b < blocks; b++) {
            ShortVector even = ShortVector.broadcast(SHORTS, (short) (-8 * (int) qsum[b]));
            ShortVector odd = ShortVector.zero(SHORTS);
            for (int q = 0, k = 32 * b; q < 8; q++, k += 4, off += 2 * ROWS) {
                ShortVector w = ShortVector.fromMemorySegment(SHORTS, words, off, LE);
                even = even.add(w.and((short) 0x0F).mul(xq[k]))
                        .add(w.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).mul(xq[k + 2]));
                odd = odd.add(w.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(xq[k + 1]))
                        .add(w.lanewise(VectorOperators.LSHR, 12).mul(xq[k + 3]));
            }
            ShortVector sum = even.add(odd);
            int at = b * ROWS;
            float s = xs[b];
            low = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 0))
                    .fma(FloatVector.fromArray(FLOATS, d, first + at).mul(s), low);
            high = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 1))
                    .fma(FloatVector.fromArray(FLOATS, d, first + at + ROWS / 2).mul(s), high);
        }
        low.intoArray(scratch, 0);
        high.intoArray(scratch, ROWS / 2);
        copyOut(group, scratch, 0, out, outOff);
    }

    /** d * nibble - 8 d in one fused multiply-add per value, as {@link #dequantize} computes it. */
    @Override
    void decodePanel(int group, int k0, int kc, float[] panel) {
        long off = wordOffset(group * blocks + k0 / 32, 0, 0);
        for (int b = group * blocks + k0 / 32, p = 0, end = b + kc / 32; b < end; b++) {
            FloatVector d0 = FloatVector.fromArray(FLOATS, scales, b * ROWS);
            FloatVector d1 = FloatVector.fromArray(FLOATS, scales, b * ROWS + ROWS / 2);
            FloatVector m0 = d0.mul(-8f);
            FloatVector m1 = d1.mul(-8f);
            for (int q = 0; q < 8; q++, off += 2 * ROWS) {
                ShortVector w = ShortVector.fromMemorySegment(SHORTS, words, off, LE);
                for (int i = 0; i < 4; i++, p += ROWS) {
                    ShortVector v = w.lanewise(VectorOperators.LSHR, 4 * i).and((short) 0x0F);
                    ((FloatVector) v.convertShape(VectorOperators.S2F, FLOATS, 0)).fma(d0, m0).intoArray(panel, p);
                    ((FloatVector) v.convertShape(VectorOperators.S2F, FLOATS, 1)).fma(d1, m1).intoArray(panel, p + ROWS / 2);
                }
            }
        }
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        int g = row / ROWS;
        int lane = row % ROWS;
        for (int b = col / 32, i = dstOff, end = dstOff + n; i < end; b++, i += 32) {
            int block = g * blocks + b;
            float d = scales[block * ROWS + lane];
            float offset = -8f * d;
            for (int q = 0; q < 8; q++) {
                int word = words.get(SHORT, wordOffset(block, q, lane));
                for (int k = 0; k < 4; k++) {
                    dst[i + 4 * q + k] = Math.fma((float) (word >>> 4 * k & 0x0F), d, offset);
                }
            }
        }
    }
}
