package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

/**
 * The half-float scale that leads every block of a Q8_0 matrix, copied once at load into one
 * contiguous array. The per-row scale pass of a dot product then converts four scales per instruction
 * (C2 turns the {@link Float#float16ToFloat} loop into 128-bit vcvtph2ps) instead of reading one half float
 * from every 34-byte block in a scalar pass. Costs 2 bytes
 * of heap per 32 weights.
 */
final class BlockScales {
    private final short[] halves;
    private final int blocksPerRow;

    BlockScales(MemorySegment data, int rows, int cols, int blockBytes) {
        blocksPerRow = cols / QuantizedVector.BLOCK;
        long blocks = (long) rows * blocksPerRow;
        if (blocks > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("matrix of " + blocks + " blocks is too large for one scale array");
        }
        halves = new short[(int) blocks];
        for (int b = 0; b < halves.length; b++) {
            halves[b] = data.get(WeightMatrix.SHORT, (long) b * blockBytes);
        }
    }

    /** out[b] = d_b * x.scale[b] for the blocks of {@code row}. */
    void scaled(int row, QuantizedVector x, float[] out) {
        short[] h = halves;
        float[] xs = x.scale;
        for (int b = 0, at = row * blocksPerRow; b < blocksPerRow; b++, at++) {
            out[b] = Float.float16ToFloat(h[at]) * xs[b];
        }
    }

    /** out[b] = d_b for the blocks of {@code row}. */
    void copy(int row, float[] out) {
        short[] h = halves;
        for (int b = 0, at = row * blocksPerRow; b < blocksPerRow; b++, at++) {
            out[b] = Float.float16ToFloat(h[at]);
        }
    }
}
