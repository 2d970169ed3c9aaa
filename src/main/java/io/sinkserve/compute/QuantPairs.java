package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Unsigned quants of up to 8 bits of a {@link GroupedMatrix}, off-heap, two per 16-bit lane: per group-major block
 * ({@code group * blocksPerRow + block}) of 32 values, pair j (values 2j and 2j + 1) of every row of the group in one
 * vector of {@link GroupedMatrix#ROWS} 16-bit lanes, value 2j in the low byte. A kernel gets both values of a lane from
 * one load and one shift: the word w itself times {@link QuantizedVector#pairQ}[2j] plus {@code w >>> 8} times
 * {@code pairQ[2j + 1]} is q[2j] x[2j] + q[2j + 1] x[2j + 1] modulo 2^16, with no masking.
 */
final class QuantPairs {
    private static final int ROWS = GroupedMatrix.ROWS;

    private final MemorySegment words;

    /** Room for {@code blocks} blocks of 32 values per row lane. */
    QuantPairs(long blocks) {
        words = HugePages.allocate(blocks * 32L * ROWS);
    }

    /** The words, for kernels that load them in their own loop (a helper returning vectors would box them). */
    MemorySegment segment() {
        return words;
    }

    /** Byte offset of pair j's vector in block {@code block}; pairs j and j + 1 are {@code 2 * ROWS} bytes apart. */
    static long offset(long block, int j) {
        return (block * 16 + j) * 2L * ROWS;
    }

    /** Sets value k (0..31) of row lane {@code lane} in block {@code block} to q (0..255). */
    void set(long block, int k, int lane, int q) {
        words.set(WeightMatrix.BYTE, offset(block, k >> 1) + 2L * lane + (k & 1), (byte) q);
    }

    /** Value k (0..31) of row lane {@code lane} in block {@code block}. */
    int get(long block, int k, int lane) {
        return words.get(WeightMatrix.BYTE, offset(block, k >> 1) + 2L * lane + (k & 1)) & 0xFF;
    }

    /**
     * Decodes block {@code block} into {@code panel[p + k * ROWS + lane]} (k = 0..31) as (q - bias) * scale, rounded
     * once, with the rows' scales for values 0..15 from {@code scale[firstAt ..]} and for values 16..31 from
     * {@code scale[secondAt ..]}.
     */
    void decode(long block, int bias, float[] scale, int firstAt, int secondAt, float[] panel, int p) {
        for (int half = 0; half < 2; half++) {
            int at = half == 0 ? firstAt : secondAt;
            FloatVector s0 = FloatVector.fromArray(GroupedMatrix.FLOATS, scale, at);
            FloatVector s1 = FloatVector.fromArray(GroupedMatrix.FLOATS, scale, at + ROWS / 2);
            for (int j = 8 * half; j < 8 * half + 8; j++, p += 2 * ROWS) {
                ShortVector w = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, offset(block, j), WeightMatrix.LE);
                ShortVector even = w.and((short) 0xFF).sub((short) bias);
                ShortVector odd = w.lanewise(VectorOperators.LSHR, 8).sub((short) bias);
                ((FloatVector) even.convertShape(VectorOperators.S2F, GroupedMatrix.FLOATS, 0)).mul(s0).intoArray(panel, p);
                ((FloatVector) even.convertShape(VectorOperators.S2F, GroupedMatrix.FLOATS, 1)).mul(s1).intoArray(panel, p + ROWS / 2);
                ((FloatVector) odd.convertShape(VectorOperators.S2F, GroupedMatrix.FLOATS, 0)).mul(s0).intoArray(panel, p + ROWS);
                ((FloatVector) odd.convertShape(VectorOperators.S2F, GroupedMatrix.FLOATS, 1)).mul(s1).intoArray(panel, p + ROWS + ROWS / 2);
            }
        }
    }
}
