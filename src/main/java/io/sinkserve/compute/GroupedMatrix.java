package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Block-quantised matrices repacked at load into groups of {@link #ROWS} rows, interleaved so that one
 * 16-bit lane holds one row: a kernel then multiplies a whole group's weights at column k by the
 * activation's 8-bit quant at k in one lane-wise 16-bit product and sums each block exactly in integer lanes,
 * with no horizontal sum anywhere. A row's result depends only on its own lane (exact integer block sums, then one
 * float multiply-add per block in block order), so it has the same bits at every vector width, alone or in a
 * batch.
 */
abstract sealed class GroupedMatrix extends WeightMatrix implements RowGroups permits Q8_0Matrix, Q4_0Matrix, Q4_KMatrix, Q6_KMatrix {
    /** 16-bit lanes of the kernels' width. */
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(VectorWidth.BITS));
    /** Rows per group: one per 16-bit lane, so twice the float lanes (two float vectors per group). */
    static final int ROWS = SHORTS.length();
    /** Float lanes per vector: half a group. */
    static final VectorSpecies<Float> FLOATS = VectorWidth.FLOAT;

    final int groups;
    /** 32-value blocks per row. */
    final int blocks;

    GroupedMatrix(TensorType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
        groups = (rows + ROWS - 1) / ROWS;
        blocks = cols / 32;
    }

    /** What a repacking constructor does with one of the file's blocks. */
    @FunctionalInterface
    interface BlockVisitor {
        /**
         * The file's block at byte {@code src} is the {@code index}-th block of its type's size in the repacked
         * group-major order ({@code group * blocksPerRow + block}), in row lane {@code lane}; {@code scratch} is
         * this thread's working space.
         */
        void visit(int lane, int index, long src, int[] scratch);
    }

    /**
     * Visits every block of the file's rows (of the type's block size) once. Groups are repacked in parallel (they
     * write disjoint parts of the repacked copy), each with {@code scratchLength} ints of working space of its own:
     * repacking is load time spent per byte of weights.
     */
    final void forEachBlock(int scratchLength, BlockVisitor visitor) {
        int perRow = cols / type.blockSize();
        IntStream.range(0, groups).parallel().forEach(g -> {
            int[] scratch = new int[scratchLength];
            for (int r = g * ROWS, end = Math.min(rows, r + ROWS); r < end; r++) {
                long src = (long) r * rowBytes;
                for (int b = 0; b < perRow; b++, src += type.bytesPerBlock()) {
                    visitor.visit(r - g * ROWS, g * perRow + b, src, scratch);
                }
            }
        });
    }

    /** Every kernel reads the repacked copy. */
    @Override
    public final boolean readsSource() {
        return false;
    }

    /** Floats of working space {@link #dotGroup} and {@link #decodePanel} need: two per row of a group. */
    final int scratchLength() {
        return 2 * ROWS;
    }

    /**
     * Rows {@code group * ROWS ..} (up to the last row) · each of the first {@code tokens} activations, into
     * {@code out[outOff + t * outStride + row]}; the activations were quantised from vectors of length cols;
     * {@code scratch} holds at least {@link #scratchLength} floats and {@code sums} {@link #sumsLength} shorts.
     * Tokens run while the group's weights are in cache; where the type's block sums come from {@link NibbleWords},
     * four tokens at a time share each word's unpacking ({@link NibbleWords#sums4}). The block sums are exact either
     * way, so a token gets the same bits in any batch.
     */
    final void dotGroup(int group, QuantizedVector[] xs, int tokens, float[] scratch, short[] sums, float[] out,
                        int outOff, int outStride) {
        NibbleWords words = nibbleSums();
        int t = 0;
        if (words != null) {
            int stride = blocks * ROWS;
            for (; t + NibbleWords.TOKENS <= tokens; t += NibbleWords.TOKENS) {
                for (int b = 0; b < blocks; b++) {
                    words.sums4(words.offset(group * blocks + b), xs, t, b, sums, b * ROWS, stride);
                }
                for (int c = 0; c < NibbleWords.TOKENS; c++) {
                    dotGroup(group, xs[t + c], scratch, sums, c * stride, out, outOff + (t + c) * outStride);
                }
            }
        }
        for (; t < tokens; t++) {
            dotGroup(group, xs[t], scratch, sums, -1, out, outOff + t * outStride);
        }
    }

    /**
     * {@link #dotGroup} (the batch form) for groups {@code group} and {@code group + 1} (which must exist) at once, each
     * row with the bits {@link #dotGroup} gives it: where the block sums come from {@link NibbleWords}, four tokens at a
     * time share each word's unpacking and each activation broadcast serves both groups
     * ({@link NibbleWords#sums4Pair}); the other tokens take one token's {@link #dotGroupPair}.
     */
    final void dotGroupPair(int group, QuantizedVector[] xs, int tokens, float[] scratch, short[] sums, float[] out,
                            int outOff, int outStride) {
        NibbleWords words = nibbleSums();
        int t = 0;
        if (words != null) {
            int stride = blocks * ROWS;
            int groupStride = NibbleWords.TOKENS * stride;
            long other = words.offset(blocks);
            for (; t + NibbleWords.TOKENS <= tokens; t += NibbleWords.TOKENS) {
                for (int b = 0; b < blocks; b++) {
                    words.sums4Pair(words.offset(group * blocks + b), other, xs, t, b, sums, b * ROWS, stride, groupStride);
                }
                for (int c = 0; c < NibbleWords.TOKENS; c++) {
                    dotGroup(group, xs[t + c], scratch, sums, c * stride, out, outOff + (t + c) * outStride);
                    dotGroup(group + 1, xs[t + c], scratch, sums, groupStride + c * stride, out, outOff + (t + c) * outStride);
                }
            }
        }
        for (; t < tokens; t++) {
            dotGroupPair(group, xs[t], scratch, out, outOff + t * outStride);
        }
    }

    /**
     * One token. {@code sumsAt} &lt; 0: the kernel computes its block sums itself; else a type whose
     * {@link #nibbleSums} is not null finds block b's 16-bit sums at {@code sums[sumsAt + b * ROWS ..]}.
     */
    abstract void dotGroup(int group, QuantizedVector x, float[] scratch, short[] sums, int sumsAt, float[] out, int outOff);

    /**
     * One token through groups {@code group} and {@code group + 1} (which must exist), each row with the bits
     * {@link #dotGroup} gives it; {@code scratch} holds at least {@link #scratchLength} floats. Every type does both
     * groups in one pass, each load of the activation's quants serving both.
     */
    abstract void dotGroupPair(int group, QuantizedVector x, float[] scratch, float[] out, int outOff);

    /** The forms of a quantised activation this type's kernels read besides its quants, scales and block sums. */
    abstract QuantizedVector.Forms quantForms();

    /** The words whose {@link NibbleWords#sums4} gives this type's block sums (Σ (q - 8) x per block), or null. */
    NibbleWords nibbleSums() {
        return null;
    }

    /**
     * Shorts of working space {@link #dotGroup} and {@link #dotGroupPair} need for block sums: a vector per block for
     * each of {@link NibbleWords#TOKENS} tokens, for two groups; none where the kernels sum each block themselves.
     */
    final int sumsLength() {
        return nibbleSums() == null ? 0 : 2 * NibbleWords.TOKENS * blocks * ROWS;
    }

    /**
     * The number of (row lane, block) pairs of the padded groups, {@code blocksPerRow} blocks per row: the length of
     * a per-block scale array, which must fit one Java array.
     */
    final int laneBlocks(int blocksPerRow) {
        long n = (long) groups * ROWS * blocksPerRow;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(type + " matrix of " + rows + " x " + cols + " is too large for one scale array");
        }
        return (int) n;
    }

    @Override
    public final int panelScratch() {
        return scratchLength();
    }

    /**
     * Copies a group's results from {@code scratch[from .. from + ROWS)} to {@code out[outOff + first row ..]}, rows past the
     * matrix's last dropped. The kernels store their vectors first: a call that took them would box them once past
     * C2's inlining budget, on every trip of the loop that made them.
     */
    final void copyOut(int group, float[] scratch, int from, float[] out, int outOff) {
        int first = group * ROWS;
        System.arraycopy(scratch, from, out, outOff + first, Math.min(ROWS, rows - first));
    }
}
