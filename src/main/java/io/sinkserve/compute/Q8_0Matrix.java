package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml Q8_0: blocks of 32 values, a half scale d then 32 signed bytes q; value = d * q.
 *
 * <p>Repacked at load (see {@link GroupedMatrix}): the quants into {@link LaneBytes}, and the scales per group and
 * block in row order, widened to float on the heap. 36 bytes per 32 values against the file's 34; the file's bytes
 * are read once, at load.
 */
final class Q8_0Matrix extends GroupedMatrix {
    /** As many 32-bit lanes as a float vector: half a group. */
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
    /** Value k of every row of a group per vector. */
    private final LaneBytes quants;
    /** [group][block][row lane]: the scales d. */
    private final float[] scales;

    Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q8_0, data, rows, cols);
        int padded = laneBlocks(blocks);
        scales = new float[padded];
        quants = new LaneBytes((long) groups * blocks);
        forEachBlock(0, (lane, block, src, unused) -> {
            scales[block * ROWS + lane] = half(data, src);
            for (int k = 0; k < 32; k++) {
                quants.set(block, k, lane, data.get(BYTE, src + 2 + k));
            }
        });
    }

    @Override
    QuantizedVector.Forms quantForms() {
        return QuantizedVector.Forms.PLAIN;
    }

    /**
     * Per block, Σ q x over its 32 values for every row of the group, exactly: products of two values (each at
     * most 127 * 127) are summed in 16-bit lanes, widened, and summed in 32-bit lanes. Each block's sum is then
     * converted to float and scaled by d * x's block scale, one fused multiply-add per block, in block order.
     */
    @Override
    void dotGroup(int group, QuantizedVector x, float[] scratch, short[] sums, int sumsAt, float[] out, int outOff) {
        short[] xq = x.q;
        float[] xs = x.scale;
        float[] d = scales;
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = FloatVector.zero(FLOATS);
        MemorySegment seg = quants.segment();
        long off = LaneBytes.offset((long) group * blocks, 0);
        for (int b = 0; b < blocks; b++) {
            IntVector sumLow = IntVector.zero(INTS);
            IntVector sumHigh = IntVector.zero(INTS);
            for (int k = 32 * b, end = k + 32; k < end; k += 2, off += 2L * ROWS) {
                ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(LaneBytes.BYTES, seg, off, LE)
                        .convertShape(VectorOperators.B2S, SHORTS, 0);
                ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(LaneBytes.BYTES, seg, off + ROWS, LE)
                        .convertShape(VectorOperators.B2S, SHORTS, 0);
                ShortVector pair = q0.mul(xq[k]).add(q1.mul(xq[k + 1]));
                sumLow = sumLow.add((IntVector) pair.convertShape(VectorOperators.S2I, INTS, 0));
                sumHigh = sumHigh.add((IntVector) pair.convertShape(VectorOperators.S2I, INTS, 1));
            }
            int at = (group * blocks + b) * ROWS;
            float s = xs[b];
            low = ((FloatVector) sumLow.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(FloatVector.fromArray(FLOATS, d, at).mul(s), low);
            high = ((FloatVector) sumHigh.convertShape(VectorOperators.I2F, FLOATS, 0))
                    .fma(FloatVector.fromArray(FLOATS, d, at + ROWS / 2).mul(s), high);
        }
        low.intoArray(scratch, 0);
        high.intoArray(scratch, ROWS / 2);
        copyOut(group, scratch, 0, out, outOff);
    }

    /**
     * {@link #dotGroup} for groups {@code group} and {@code group + 1} at once, each broadcast of an activation quant
     * serving both: per group the same operations in the same order, so each row gets the bits of a single call.
     */
    @Override
    void dotGroupPair(int group, QuantizedVector x, float[] scratch, float[] out, int outOff) {
        short[] xq = x.q;
        float[] xs = x.scale;
        float[] d = scales;
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        FloatVector low2 = low;
        FloatVector high2 = low;
        MemorySegment seg = quants.segment();
        long off = LaneBytes.offset((long) group * blocks, 0);
        // the next group's bytes and scales are one group's stride further on
        long other = LaneBytes.offset(blocks, 0);
        IntVector sumLow = IntVector.zero(INTS);
        IntVector sumHigh = sumLow;
        IntVector sumLow2 = sumLow;
        IntVector sumHigh2 = sumLow;
        // one loop over the row's value pairs, each block's float steps after its sixteenth (as Q4_0Matrix#dotGroupPair)
        for (int k = 0, end = 32 * blocks; k < end; k += 2, off += 2L * ROWS) {
            ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(LaneBytes.BYTES, seg, off, LE)
                    .convertShape(VectorOperators.B2S, SHORTS, 0);
            ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(LaneBytes.BYTES, seg, off + ROWS, LE)
                    .convertShape(VectorOperators.B2S, SHORTS, 0);
            ShortVector u0 = (ShortVector) ByteVector.fromMemorySegment(LaneBytes.BYTES, seg, off + other, LE)
                    .convertShape(VectorOperators.B2S, SHORTS, 0);
            ShortVector u1 = (ShortVector) ByteVector.fromMemorySegment(LaneBytes.BYTES, seg, off + other + ROWS, LE)
                    .convertShape(VectorOperators.B2S, SHORTS, 0);
            ShortVector y0 = ShortVector.broadcast(SHORTS, xq[k]);
            ShortVector y1 = ShortVector.broadcast(SHORTS, xq[k + 1]);
            ShortVector pair = q0.mul(y0).add(q1.mul(y1));
            ShortVector pair2 = u0.mul(y0).add(u1.mul(y1));
            sumLow = sumLow.add((IntVector) pair.convertShape(VectorOperators.S2I, INTS, 0));
            sumHigh = sumHigh.add((IntVector) pair.convertShape(VectorOperators.S2I, INTS, 1));
            sumLow2 = sumLow2.add((IntVector) pair2.convertShape(VectorOperators.S2I, INTS, 0));
            sumHigh2 = sumHigh2.add((IntVector) pair2.convertShape(VectorOperators.S2I, INTS, 1));
            if ((k & 31) == 30) {
                int b = k >> 5;
                int at = (group * blocks + b) * ROWS;
                int at2 = at + blocks * ROWS;
                float s = xs[b];
                low = ((FloatVector) sumLow.convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(FloatVector.fromArray(FLOATS, d, at).mul(s), low);
                high = ((FloatVector) sumHigh.convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(FloatVector.fromArray(FLOATS, d, at + ROWS / 2).mul(s), high);
                low2 = ((FloatVector) sumLow2.convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(FloatVector.fromArray(FLOATS, d, at2).mul(s), low2);
                high2 = ((FloatVector) sumHigh2.convertShape(VectorOperators.I2F, FLOATS, 0))
                        .fma(FloatVector.fromArray(FLOATS, d, at2 + ROWS / 2).mul(s), high2);
                sumLow = IntVector.zero(INTS);
                sumHigh = sumLow;
                sumLow2 = sumLow;
                sumHigh2 = sumLow;
            }
        }
        low.intoArray(scratch, 0);
        high.intoArray(scratch, ROWS / 2);
        low2.intoArray(scratch, ROWS);
        high2.intoArray(scratch, ROWS + ROWS / 2);
        copyOut(group, scratch, 0, out, outOff);
        copyOut(group + 1, scratch, ROWS, out, outOff);
    }

    /** d * q, rounded once, as {@link #dequantize} computes it. */
    @Override
    public void decodePanel(int group, int k0, int kc, float[] scratch, float[] panel) {
        for (int block = group * blocks + k0 / 32, p = 0, end = block + kc / 32; block < end; block++, p += 32 * ROWS) {
            quants.decode(block, scales, block * ROWS, panel, p);
        }
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        int lane = row % ROWS;
        for (int block = row / ROWS * blocks + col / 32, i = dstOff, end = dstOff + n; i < end; block++, i += 32) {
            float d = scales[block * ROWS + lane];
            for (int k = 0; k < 32; k++) {
                dst[i + k] = quants.get(block, k, lane) * d;
            }
        }
    }
}
