package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The 4-bit quants of a {@link GroupedMatrix}, off-heap: per block of 32 values, eight 16-bit words per row,
 * word q of row r holding the row's quants 4q .. 4q + 3 of the block (quant 4q + i in bits 4i .. 4i + 3),
 * stored as eight vectors of {@link GroupedMatrix#ROWS} lanes. Blocks are numbered group-major
 * ({@code group * blocksPerRow + block}), so a group's blocks are one contiguous stream.
 */
final class NibbleWords {
    private static final int ROWS = GroupedMatrix.ROWS;
    /** Bytes of a block's eight nibble word vectors. */
    private static final long STRIDE = 16L * ROWS;

    private final MemorySegment words;

    /** Room for {@code blocks} blocks of nibble words. */
    NibbleWords(long blocks) {
        words = HugePages.allocate(blocks * STRIDE);
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
        return block * STRIDE;
    }

    /** Tokens whose block sums {@link #sums4} computes in one pass over a block's words. */
    static final int TOKENS = 4;

    /**
     * Σ (q - 8) x = Σ q x - 8 Σ x over the block at {@code off} (the row's block {@code b}), in 16-bit lanes modulo
     * 2^16 (exact: the true sum is at most 32 * 8 * 127 in magnitude), for tokens {@code t0 .. t0 + 3} at once: each
     * word is loaded and shifted once for the four. Token t0 + c's sums go to {@code into[at + c * tokenStride ..]},
     * through memory rather than returned: a vector returned from a call C2 does not inline is boxed.
     */
    void sums4(long off, QuantizedVector[] xs, int t0, int b, short[] into, int at, int tokenStride) {
        short[] x0 = xs[t0].nibbleQ;
        short[] x1 = xs[t0 + 1].nibbleQ;
        short[] x2 = xs[t0 + 2].nibbleQ;
        short[] x3 = xs[t0 + 3].nibbleQ;
        ShortVector a0 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0].qsum[b]));
        ShortVector a1 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0 + 1].qsum[b]));
        ShortVector a2 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0 + 2].qsum[b]));
        ShortVector a3 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0 + 3].qsum[b]));
        for (int w = 0, k = 32 * b; w < 8; w++, k += 4, off += 2 * ROWS) {
            // the word and its shifts, unmasked: the activations are QuantizedVector#nibbleQ
            ShortVector n0 = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, off, WeightMatrix.LE);
            ShortVector n1 = n0.lanewise(VectorOperators.LSHR, 4);
            ShortVector n2 = n0.lanewise(VectorOperators.LSHR, 8);
            ShortVector n3 = n0.lanewise(VectorOperators.LSHR, 12);
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
     * {@link #sums4} for the block at {@code off} and the one {@code other} bytes further on (the same block of the
     * next group) at once, each broadcast of an activation quant serving both: the first block's sums go where
     * {@link #sums4} puts them, the second's {@code groupStride} shorts further on. The sums are exact, so each gets
     * the bits of its own {@link #sums4}.
     */
    void sums4Pair(long off, long other, QuantizedVector[] xs, int t0, int b, short[] into, int at, int tokenStride,
                   int groupStride) {
        short[] x0 = xs[t0].nibbleQ;
        short[] x1 = xs[t0 + 1].nibbleQ;
        short[] x2 = xs[t0 + 2].nibbleQ;
        short[] x3 = xs[t0 + 3].nibbleQ;
        ShortVector a0 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0].qsum[b]));
        ShortVector a1 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0 + 1].qsum[b]));
        ShortVector a2 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0 + 2].qsum[b]));
        ShortVector a3 = ShortVector.broadcast(GroupedMatrix.SHORTS, (short) (-8 * (int) xs[t0 + 3].qsum[b]));
        ShortVector c0 = a0;
        ShortVector c1 = a1;
        ShortVector c2 = a2;
        ShortVector c3 = a3;
        for (int w = 0, k = 32 * b; w < 8; w++, k += 4, off += 2 * ROWS) {
            ShortVector n0 = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, off, WeightMatrix.LE);
            ShortVector m0 = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, off + other, WeightMatrix.LE);
            ShortVector n1 = n0.lanewise(VectorOperators.LSHR, 4);
            ShortVector m1 = m0.lanewise(VectorOperators.LSHR, 4);
            ShortVector n2 = n0.lanewise(VectorOperators.LSHR, 8);
            ShortVector m2 = m0.lanewise(VectorOperators.LSHR, 8);
            ShortVector n3 = n0.lanewise(VectorOperators.LSHR, 12);
            ShortVector m3 = m0.lanewise(VectorOperators.LSHR, 12);
            ShortVector y0 = ShortVector.broadcast(GroupedMatrix.SHORTS, x0[k]);
            ShortVector y1 = ShortVector.broadcast(GroupedMatrix.SHORTS, x0[k + 1]);
            ShortVector y2 = ShortVector.broadcast(GroupedMatrix.SHORTS, x0[k + 2]);
            ShortVector y3 = ShortVector.broadcast(GroupedMatrix.SHORTS, x0[k + 3]);
            a0 = a0.add(n0.mul(y0).add(n1.mul(y1))).add(n2.mul(y2).add(n3.mul(y3)));
            c0 = c0.add(m0.mul(y0).add(m1.mul(y1))).add(m2.mul(y2).add(m3.mul(y3)));
            y0 = ShortVector.broadcast(GroupedMatrix.SHORTS, x1[k]);
            y1 = ShortVector.broadcast(GroupedMatrix.SHORTS, x1[k + 1]);
            y2 = ShortVector.broadcast(GroupedMatrix.SHORTS, x1[k + 2]);
            y3 = ShortVector.broadcast(GroupedMatrix.SHORTS, x1[k + 3]);
            a1 = a1.add(n0.mul(y0).add(n1.mul(y1))).add(n2.mul(y2).add(n3.mul(y3)));
            c1 = c1.add(m0.mul(y0).add(m1.mul(y1))).add(m2.mul(y2).add(m3.mul(y3)));
            y0 = ShortVector.broadcast(GroupedMatrix.SHORTS, x2[k]);
            y1 = ShortVector.broadcast(GroupedMatrix.SHORTS, x2[k + 1]);
            y2 = ShortVector.broadcast(GroupedMatrix.SHORTS, x2[k + 2]);
            y3 = ShortVector.broadcast(GroupedMatrix.SHORTS, x2[k + 3]);
            a2 = a2.add(n0.mul(y0).add(n1.mul(y1))).add(n2.mul(y2).add(n3.mul(y3)));
            c2 = c2.add(m0.mul(y0).add(m1.mul(y1))).add(m2.mul(y2).add(m3.mul(y3)));
            y0 = ShortVector.broadcast(GroupedMatrix.SHORTS, x3[k]);
            y1 = ShortVector.broadcast(GroupedMatrix.SHORTS, x3[k + 1]);
            y2 = ShortVector.broadcast(GroupedMatrix.SHORTS, x3[k + 2]);
            y3 = ShortVector.broadcast(GroupedMatrix.SHORTS, x3[k + 3]);
            a3 = a3.add(n0.mul(y0).add(n1.mul(y1))).add(n2.mul(y2).add(n3.mul(y3)));
            c3 = c3.add(m0.mul(y0).add(m1.mul(y1))).add(m2.mul(y2).add(m3.mul(y3)));
        }
        a0.intoArray(into, at);
        a1.intoArray(into, at + tokenStride);
        a2.intoArray(into, at + 2 * tokenStride);
        a3.intoArray(into, at + 3 * tokenStride);
        c0.intoArray(into, at + groupStride);
        c1.intoArray(into, at + groupStride + tokenStride);
        c2.intoArray(into, at + groupStride + 2 * tokenStride);
        c3.intoArray(into, at + groupStride + 3 * tokenStride);
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
