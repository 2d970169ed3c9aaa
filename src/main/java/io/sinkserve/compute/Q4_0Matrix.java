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
 * eight vectors of {@link #ROWS} lanes; the half scales per group and block in row order on the heap. The
 * same 18 bytes per 32 values as the file; the file's bytes are read once, at load.
 */
final class Q4_0Matrix extends GroupedMatrix {
    private static final int BLOCK_BYTES = 18;
    private final int blocks;
    /** [group][block][word q][row lane]: four nibbles per 16-bit word. */
    private final MemorySegment words;
    /** [group][block][row lane]: the half scales. */
    private final short[] halves;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q4_0, data, rows, cols);
        blocks = cols / 32;
        long padded = (long) groups * ROWS * blocks;
        if (padded > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Q4_0 matrix of " + padded + " blocks is too large for one scale array");
        }
        halves = new short[(int) padded];
        words = Arena.ofAuto().allocate(padded * 16, 64);
        for (int r = 0; r < rows; r++) {
            int g = r / ROWS;
            int lane = r % ROWS;
            long src = (long) r * rowBytes;
            for (int b = 0; b < blocks; b++, src += BLOCK_BYTES) {
                int block = g * blocks + b;
                halves[block * ROWS + lane] = data.get(SHORT, src);
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
        return blocks * ROWS + ROWS;
    }

    /**
     * Per block, Σ (q - 8) x over its 32 values for every row of the group, summed in 16-bit lanes as
     * Σ q x - 8 Σ x modulo 2^16: the true sum is at most 32 * 8 * 127 in magnitude, so the wrapped result is
     * exact. It is then scaled by d * x's block scale, one fused multiply-add per block, in block order.
     */
    @Override
    void dotGroup(int group, QuantizedVector x, float[] scratch, float[] out, int outOff) {
        int first = group * blocks * ROWS;
        float[] xs = x.scale;
        for (int b = 0; b < blocks; b++) {
            float s = xs[b];
            for (int lane = 0, at = b * ROWS; lane < ROWS; lane++) {
                scratch[at + lane] = Float.float16ToFloat(halves[first + at + lane]) * s;
            }
        }
        short[] xq = x.q;
        float[] qsum = x.qsum;
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = FloatVector.zero(FLOATS);
        long off = wordOffset(group * blocks, 0, 0);
        for (int b = 0; b < blocks; b++) {
            ShortVector acc = ShortVector.broadcast(SHORTS, (short) (-8 * (int) qsum[b]));
            for (int q = 0, k = 32 * b; q < 8; q++, k += 4, off += 2 * ROWS) {
                ShortVector w = ShortVector.fromMemorySegment(SHORTS, words, off, LE);
                acc = acc.add(w.and((short) 0x0F).mul(xq[k]))
                        .add(w.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(xq[k + 1]))
                        .add(w.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).mul(xq[k + 2]))
                        .add(w.lanewise(VectorOperators.LSHR, 12).mul(xq[k + 3]));
            }
            int at = b * ROWS;
            low = ((FloatVector) acc.convertShape(VectorOperators.S2F, FLOATS, 0))
                    .fma(FloatVector.fromArray(FLOATS, scratch, at), low);
            high = ((FloatVector) acc.convertShape(VectorOperators.S2F, FLOATS, 1))
                    .fma(FloatVector.fromArray(FLOATS, scratch, at + ROWS / 2), high);
        }
        store(group, low, high, scratch, blocks * ROWS, out, outOff);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        int g = row / ROWS;
        int lane = row % ROWS;
        for (int b = col / 32, i = dstOff, end = dstOff + n; i < end; b++, i += 32) {
            int block = g * blocks + b;
            float d = Float.float16ToFloat(halves[block * ROWS + lane]);
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
