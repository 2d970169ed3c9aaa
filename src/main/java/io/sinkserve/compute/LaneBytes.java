package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Signed 8-bit quants of a {@link GroupedMatrix}, off-heap: per group-major block ({@code group * blocksPerRow + block})
 * of 32 values, value k of every row of the group in one vector of {@link GroupedMatrix#ROWS} bytes, so a kernel
 * widens value k of the whole group to 16-bit lanes with one load and one sign extension.
 */
final class LaneBytes {
    private static final int ROWS = GroupedMatrix.ROWS;
    /** One byte per row of a group: value k of the group, widened to {@link GroupedMatrix#SHORTS} by a B2S conversion. */
    static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(ROWS * 8));

    private final MemorySegment bytes;

    /** Room for {@code blocks} blocks of 32 values per row lane. */
    LaneBytes(long blocks) {
        bytes = HugePages.allocate(blocks * 32L * ROWS);
    }

    /** The bytes, for kernels that load them in their own loop (a helper returning vectors would box them). */
    MemorySegment segment() {
        return bytes;
    }

    /** Byte offset of value k's vector in block {@code block}; values k and k + 1 are {@link GroupedMatrix#ROWS} apart. */
    static long offset(long block, int k) {
        return (block * 32 + k) * ROWS;
    }

    void set(long block, int k, int lane, byte q) {
        bytes.set(WeightMatrix.BYTE, offset(block, k) + lane, q);
    }

    byte get(long block, int k, int lane) {
        return bytes.get(WeightMatrix.BYTE, offset(block, k) + lane);
    }

    /**
     * Decodes block {@code block} into {@code panel[p + k * ROWS + lane]} (k = 0..31) as q * scale, rounded once, with
     * the rows' scales from {@code scale[at ..]}.
     */
    void decode(long block, float[] scale, int at, float[] panel, int p) {
        FloatVector s0 = FloatVector.fromArray(GroupedMatrix.FLOATS, scale, at);
        FloatVector s1 = FloatVector.fromArray(GroupedMatrix.FLOATS, scale, at + ROWS / 2);
        for (int k = 0; k < 32; k++, p += ROWS) {
            ShortVector q = (ShortVector) ByteVector.fromMemorySegment(BYTES, bytes, offset(block, k), WeightMatrix.LE)
                    .convertShape(VectorOperators.B2S, GroupedMatrix.SHORTS, 0);
            ((FloatVector) q.convertShape(VectorOperators.S2F, GroupedMatrix.FLOATS, 0)).mul(s0).intoArray(panel, p);
            ((FloatVector) q.convertShape(VectorOperators.S2F, GroupedMatrix.FLOATS, 1)).mul(s1).intoArray(panel, p + ROWS / 2);
        }
    }
}
