package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The 4-bit quants of a {@link GroupedMatrix}, off-heap: per block of 32 values, eight 16-bit words per row,
 * word q of row r holding the row's quants 4q .. 4q + 3 of the block (quant 4q + i in bits 4i .. 4i + 3),
 * stored as eight vectors of {@link GroupedMatrix#ROWS} lanes, optionally followed by more word vectors of the
 * block (Q6_K's high bits, see {@link #sum6}). Blocks are numbered group-major
 * ({@code group * blocksPerRow + block}), so a group's blocks are one contiguous stream.
 */
final class NibbleWords {
    private static final int ROWS = GroupedMatrix.ROWS;
    /** Bytes of a block's eight nibble word vectors. */
    private static final long NIBBLE_BYTES = 16L * ROWS;

    private final MemorySegment words;
    /** Bytes per block: the nibble words and the extra words after them. */
    private final long stride;

    /** Room for {@code blocks} blocks of nibble words, each followed by {@code extraWords} word vectors. */
    NibbleWords(long blocks, int extraWords) {
        stride = NIBBLE_BYTES + 2L * ROWS * extraWords;
        words = HugePages.allocate(blocks * stride);
    }

    /** Sets row lane {@code lane}'s 32 quants of block {@code block} from {@code q[from .. from + 32)} (each 0..15). */
    void put(long block, int lane, int[] q, int from) {
        for (int w = 0; w < 8; w++) {
            int at = from + 4 * w;
            int word = q[at] | q[at + 1] << 4 | q[at + 2] << 8 | q[at + 3] << 12;
            words.set(WeightMatrix.SHORT, offset(block) + (w * ROWS + lane) * 2L, (short) word);
        }
    }

    /** Quant k (0..31) of row lane {@code lane} in block {@code block}. */
    int quant(long block, int lane, int k) {
        int word = words.get(WeightMatrix.SHORT, offset(block) + ((k >> 2) * ROWS + lane) * 2L);
        return word >>> 4 * (k & 3) & 0x0F;
    }

    /** The words, for kernels that load them in their own loop (a helper returning vectors would box them). */
    MemorySegment segment() {
        return words;
    }

    long offset(long block) {
        return block * stride;
    }

    /** Sets lane {@code lane} of extra word vector {@code j} of block {@code block}. */
    void putExtra(long block, int j, int lane, short word) {
        words.set(WeightMatrix.SHORT, offset(block) + NIBBLE_BYTES + (j * ROWS + lane) * 2L, word);
    }

    /** Lane {@code lane} of extra word vector {@code j} of block {@code block}. */
    int extra(long block, int j, int lane) {
        return words.get(WeightMatrix.SHORT, offset(block) + NIBBLE_BYTES + (j * ROWS + lane) * 2L);
    }

    /** Tokens whose block sums {@link #sums4} computes in one pass over a block's words. */
    static final int TOKENS = 4;

    /**
     * Σ (q - 8) x = Σ q x - 8 Σ x over the block at {@code off} (the row's block {@code b}), in 16-bit lanes modulo
     * 2^16 (exact: the true sum is at most 32 * 8 * 127 in magnitude), for tokens {@code t0 .. t0 + 3} at once: each
     * word is loaded and unpacked once for the four. Token t0 + c's sums go to {@code into[at + c * tokenStride ..]},
     * through memory rather than returned: a vector returned from a call C2 does not inline is boxed.
     */
    void sums4(long off, QuantizedVector[] xs, int t0, int b, short[] into, int at, int tokenStride) {
        short[] x0 = xs[t0].q;
        short[] x1 = xs[t0 + 1].q;
        short[] x2 = xs[t0 + 2].q;
        short[] x3 = xs[t0 + 3].q;
        ShortVector a0 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0].qsum[b]));
        ShortVector a1 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0 + 1].qsum[b]));
        ShortVector a2 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0 + 2].qsum[b]));
        ShortVector a3 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0 + 3].qsum[b]));
        for (int w = 0, k = 32 * b; w < 8; w++, k += 4, off += 2 * ROWS) {
            ShortVector v = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, off, WeightMatrix.LE);
            ShortVector n0 = v.and((short) 0x0F);
            ShortVector n1 = v.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F);
            ShortVector n2 = v.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F);
            ShortVector n3 = v.lanewise(VectorOperators.LSHR, 12);
            a0 = a0.add(n0.mul(x0[k]).add(n1.mul(x0[k + 1]))).add(n2.mul(x0[k + 2]).add(n3.mul(x0[k + 3])));
            a1 = a1.add(n0.mul(x1[k]).add(n1.mul(x1[k + 1]))).add(n2.mul(x1[k + 2]).add(n3.mul(x1[k + 3])));
            a2 = a2.add(n0.mul(x2[k]).add(n1.mul(x2[k + 1]))).add(n2.mul(x2[k + 2]).add(n3.mul(x2[k + 3])));
            a3 = a3.add(n0.mul(x3[k]).add(n1.mul(x3[k + 1]))).add(n2.mul(x3[k + 2]).add(n3.mul(x3[k + 3])));
        }
        a0.intoArray(into, at);
        a1.intoArray(into, at + tokenStride);
        a2.intoArray(into, at + 2 * tokenStride);
        a3.intoArray(into, at + 3 * tokenStride);
    }

    /**
     * Block {@code block}'s 32 quants of every row lane as q - 8, into {@code panel[p + k * ROWS + lane]} (k = 0..31):
     * the values whose exact block sums {@link #sums4} forms (see {@link QuantizedGemm}).
     */
    void decodeQuants(long block, short[] panel, int p) {
        long off = offset(block);
        for (int w = 0; w < 8; w++, off += 2 * ROWS, p += 4 * ROWS) {
            ShortVector v = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, off, WeightMatrix.LE);
            v.and((short) 0x0F).sub((short) 8).intoArray(panel, p);
            v.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).sub((short) 8).intoArray(panel, p + ROWS);
            v.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).sub((short) 8).intoArray(panel, p + 2 * ROWS);
            v.lanewise(VectorOperators.LSHR, 12).sub((short) 8).intoArray(panel, p + 3 * ROWS);
        }
    }

    /**
     * Bit position of value i's (0..7) two high bits in a quarter's high-bit word (see {@link #sum6}): values
     * 0..2 of each nibble word sit 4 bits above their nibble (4, 8, 12 for the first word, and 2 bits further
     * for the second: 6, 10, 14), value 3 of each at the bottom (0, 2).
     */
    static int highBitPosition(int i) {
        return (4 * ((i & 3) + 1) & 15) + 2 * (i >> 2);
    }

    /**
     * For each quarter j of block {@code block}, {@code -32 Σ_i xq[k0 + 8j + i] + Σ_i q_i * xq[k0 + 8j + i]} over its 8
     * values of 6 bits (their low 4 bits in nibble words 2j and 2j + 1, their high 2 bits in extra word j at
     * {@link #highBitPosition}), i.e. Σ (q - 32) x, in 16-bit lanes modulo 2^16, stored to
     * {@code into[j * ROWS .. (j + 1) * ROWS)} (through memory, as {@link #sums4} does); {@code xsum8[k0 / 8 + j]}
     * is Σ_i xq over the quarter. The positions put a value's high bits 4 bits above its nibble, so one mask-and-or
     * of the two words (a single ternary logic instruction on AVX-512) and one shift give the value.
     */
    void sum6(long block, short[] xq, short[] xsum8, int k0, short[] into) {
        long base = offset(block);
        for (int j = 0; j < 4; j++) {
            long off = base + 4L * ROWS * j;
            ShortVector hw = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, base + NIBBLE_BYTES + 2L * ROWS * j,
                    WeightMatrix.LE);
            ShortVector first = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, off, WeightMatrix.LE);
            ShortVector second = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, off + 2 * ROWS, WeightMatrix.LE);
            ShortVector h2 = hw.lanewise(VectorOperators.LSHR, 2);
            int k = k0 + 8 * j;
            ShortVector even = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-32 * xsum8[k0 / 8 + j]))
                    .add(first.and((short) 0x0F).or(hw.and((short) 0x30)).mul(xq[k]))
                    .add(first.and((short) 0x0F00).or(hw.and((short) 0x3000)).lanewise(VectorOperators.LSHR, 8).mul(xq[k + 2]))
                    .add(second.and((short) 0x0F).or(h2.and((short) 0x30)).mul(xq[k + 4]))
                    .add(second.and((short) 0x0F00).or(h2.and((short) 0x3000)).lanewise(VectorOperators.LSHR, 8).mul(xq[k + 6]));
            ShortVector odd = first.and((short) 0xF0).or(hw.and((short) 0x0300)).lanewise(VectorOperators.LSHR, 4).mul(xq[k + 1])
                    .add(first.lanewise(VectorOperators.LSHR, 12).or(hw.lanewise(VectorOperators.LSHL, 4).and((short) 0x30)).mul(xq[k + 3]))
                    .add(second.and((short) 0xF0).or(h2.and((short) 0x0300)).lanewise(VectorOperators.LSHR, 4).mul(xq[k + 5]))
                    .add(second.lanewise(VectorOperators.LSHR, 12).or(hw.lanewise(VectorOperators.LSHL, 2).and((short) 0x30)).mul(xq[k + 7]));
            even.add(odd).intoArray(into, j * ROWS);
        }
    }

    /**
     * Decodes the 8 values of 6 bits {@link #sum6} reads into {@code panel[p + k * ROWS + lane]} as (q - 32) * scale,
     * rounded once, with the rows' scales from {@code scale[scaleAt]}.
     */
    void decode6(long block, int j, float[] scale, int scaleAt, float[] panel, int p) {
        long off = offset(block) + 4L * ROWS * j;
        ShortVector hw = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words,
                offset(block) + NIBBLE_BYTES + 2L * ROWS * j, WeightMatrix.LE);
        FloatVector s0 = FloatVector.fromArray(GroupedMatrix.FLOATS, scale, scaleAt);
        FloatVector s1 = FloatVector.fromArray(GroupedMatrix.FLOATS, scale, scaleAt + ROWS / 2);
        for (int h = 0; h < 2; h++, off += 2 * ROWS) {
            ShortVector lo = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, off, WeightMatrix.LE);
            for (int i = 0; i < 4; i++, p += ROWS) {
                ShortVector q = lo.lanewise(VectorOperators.LSHR, 4 * i).and((short) 0x0F)
                        .or(hw.lanewise(VectorOperators.LSHR, highBitPosition(4 * h + i)).and((short) 3).lanewise(VectorOperators.LSHL, 4))
                        .sub((short) 32);
                ((FloatVector) q.convertShape(VectorOperators.S2F, GroupedMatrix.FLOATS, 0)).mul(s0).intoArray(panel, p);
                ((FloatVector) q.convertShape(VectorOperators.S2F, GroupedMatrix.FLOATS, 1)).mul(s1).intoArray(panel, p + ROWS / 2);
            }
        }
    }

    /**
     * Decodes block {@code block} into {@code panel[p + k * ROWS + lane]} as q * scale + offset in one fused
     * multiply-add, with the group's per-row scales from {@code scale[scaleAt]} and offsets from {@code offset[offsetAt]}.
     */
    void decode(long block, float[] scale, int scaleAt, float[] offset, int offsetAt, float[] panel, int p) {
        FloatVector s0 = FloatVector.fromArray(GroupedMatrix.FLOATS, scale, scaleAt);
        FloatVector s1 = FloatVector.fromArray(GroupedMatrix.FLOATS, scale, scaleAt + ROWS / 2);
        FloatVector o0 = FloatVector.fromArray(GroupedMatrix.FLOATS, offset, offsetAt);
        FloatVector o1 = FloatVector.fromArray(GroupedMatrix.FLOATS, offset, offsetAt + ROWS / 2);
        long off = offset(block);
        for (int w = 0; w < 8; w++, off += 2 * ROWS) {
            ShortVector v = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, off, WeightMatrix.LE);
            for (int i = 0; i < 4; i++, p += ROWS) {
                ShortVector q = v.lanewise(VectorOperators.LSHR, 4 * i).and((short) 0x0F);
                ((FloatVector) q.convertShape(VectorOperators.S2F, GroupedMatrix.FLOATS, 0)).fma(s0, o0).intoArray(panel, p);
                ((FloatVector) q.convertShape(VectorOperators.S2F, GroupedMatrix.FLOATS, 1)).fma(s1, o1).intoArray(panel, p + ROWS / 2);
            }
        }
    }
}
