package io.sinkserve.compute;

import java.lang.foreign.Arena;
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
    /** Bytes per block of one group. */
    static final long BLOCK_BYTES = 16L * ROWS;

    private final MemorySegment words;

    NibbleWords(long blocks) {
        words = Arena.ofAuto().allocate(blocks * BLOCK_BYTES, 64);
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

    static long offset(long block) {
        return block * BLOCK_BYTES;
    }

    /**
     * {@code start + Σ_k q_k * xq[k0 + k]} over the block at {@code off}, in 16-bit lanes modulo 2^16 (exact when
     * the true result fits 16 bits): even and odd quants in two chains of adds.
     */
    ShortVector sum(long off, short[] xq, int k0, short start) {
        ShortVector even = ShortVector.broadcast(GroupedMatrix.SHORTS, start);
        ShortVector odd = ShortVector.zero(GroupedMatrix.SHORTS);
        for (int w = 0, k = k0; w < 8; w++, k += 4, off += 2 * ROWS) {
            ShortVector v = ShortVector.fromMemorySegment(GroupedMatrix.SHORTS, words, off, WeightMatrix.LE);
            even = even.add(v.and((short) 0x0F).mul(xq[k]))
                    .add(v.lanewise(VectorOperators.LSHR, 8).and((short) 0x0F).mul(xq[k + 2]));
            odd = odd.add(v.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(xq[k + 1]))
                    .add(v.lanewise(VectorOperators.LSHR, 12).mul(xq[k + 3]));
        }
        return even.add(odd);
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
