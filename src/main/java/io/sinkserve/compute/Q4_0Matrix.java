package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_0: blocks of 32 values, a half scale d then 16 bytes; byte j holds value j in its low nibble
 * and value j + 16 in its high nibble, both offset by 8: value = d * (nibble - 8).
 *
 * <p>Repacked at load (see {@link GroupedMatrix}): the nibbles into {@link NibbleWords}, the scales per group and
 * block in row order, widened to float on the heap so that no kernel converts them per token. 20 bytes per 32
 * values against the file's 18; the file's bytes are read once, at load.
 */
final class Q4_0Matrix extends GroupedMatrix implements QuantizedGemm.Panels {
    private final NibbleWords words;
    /** [group][block][row lane]: the scales d. */
    private final float[] scales;

    Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q4_0, data, rows, cols);
        int padded = laneBlocks(blocks);
        scales = new float[padded];
        words = new NibbleWords((long) groups * blocks);
        forEachBlock(32, (lane, block, src, q) -> {
            scales[block * ROWS + lane] = half(data, src);
            for (int j = 0; j < 16; j++) {
                int packed = data.get(BYTE, src + 2 + j) & 0xFF;
                q[j] = packed & 0x0F;
                q[j + 16] = packed >>> 4;
            }
            words.put(block, lane, q, 0);
        });
    }

    @Override
    NibbleWords nibbleSums() {
        return words;
    }

    @Override
    QuantizedVector.Forms quantForms() {
        return QuantizedVector.Forms.NIBBLES;
    }

    /**
     * Per block, Σ (q - 8) x over its 32 values for every row of the group, summed in 16-bit lanes as
     * Σ q x - 8 Σ x modulo 2^16: the true sum is at most 32 * 8 * 127 in magnitude, so the wrapped result is
     * exact. It is then scaled by d * x's block scale, one fused multiply-add per block, in block order.
     */
    @Override
    void dotGroup(int group, QuantizedVector x, float[] scratch, short[] sums, int sumsAt, float[] out, int outOff) {
        short[] xn = x.nibbleQ;
        float[] qsum = x.qsum;
        float[] xs = x.scale;
        float[] d = scales;
        MemorySegment seg = words.segment();
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = FloatVector.zero(FLOATS);
        for (int b = 0, block = group * blocks; b < blocks; b++, block++) {
            ShortVector sum;
            if (sumsAt < 0) {
                // Σ q x - 8 Σ x on unmasked nibble words (QuantizedVector#nibbleQ), even and odd shifts in two chains
                // (the batch's NibbleWords#sums4 for one token, written out: a call would store and reload the sums)
                ShortVector even = ShortVector.broadcast(SHORTS, (short) (-8 * (int) qsum[b]));
                ShortVector odd = ShortVector.zero(SHORTS);
                long off = words.offset(block);
                for (int w = 0, k = 32 * b; w < 8; w++, k += 4, off += 2 * ROWS) {
                    ShortVector v = ShortVector.fromMemorySegment(SHORTS, seg, off, LE);
                    even = even.add(v.mul(xn[k])).add(v.lanewise(VectorOperators.LSHR, 8).mul(xn[k + 2]));
                    odd = odd.add(v.lanewise(VectorOperators.LSHR, 4).mul(xn[k + 1]))
                            .add(v.lanewise(VectorOperators.LSHR, 12).mul(xn[k + 3]));
                }
                sum = even.add(odd);
            } else {
                sum = ShortVector.fromArray(SHORTS, sums, sumsAt + b * ROWS);
            }
            int at = block * ROWS;
            float s = xs[b];
            low = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 0))
                    .fma(FloatVector.fromArray(FLOATS, d, at).mul(s), low);
            high = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 1))
                    .fma(FloatVector.fromArray(FLOATS, d, at + ROWS / 2).mul(s), high);
        }
        low.intoArray(scratch, 0);
        high.intoArray(scratch, ROWS / 2);
        copyOut(group, scratch, 0, out, outOff);
    }

    /**
     * {@link #dotGroup} for groups {@code group} and {@code group + 1} at once, each broadcast of an activation quant
     * serving both: per group the same exact block sums and the same float steps in the same order, so each row gets the
     * bits of a single call.
     */
    @Override
    void dotGroupPair(int group, QuantizedVector x, float[] scratch, float[] out, int outOff) {
        short[] xn = x.nibbleQ;
        float[] qsum = x.qsum;
        float[] xs = x.scale;
        float[] d = scales;
        MemorySegment seg = words.segment();
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        FloatVector low2 = low;
        FloatVector high2 = low;
        ShortVector even = ShortVector.zero(SHORTS);
        ShortVector odd = even;
        ShortVector even2 = even;
        ShortVector odd2 = even;
        // the next group's words and scales are one group's stride further on
        long other = words.offset(blocks);
        int first = group * blocks;
        long off = words.offset(first);
        // one loop over the row's words, each block's float step after its eighth: a nested loop per block costs C2
        // more scalar set-up per block than the block's vector work hides
        for (int w = 0, end = 8 * blocks, k = 0; w < end; w++, k += 4, off += 2 * ROWS) {
            ShortVector v = ShortVector.fromMemorySegment(SHORTS, seg, off, LE);
            ShortVector u = ShortVector.fromMemorySegment(SHORTS, seg, off + other, LE);
            ShortVector y0 = ShortVector.broadcast(SHORTS, xn[k]);
            ShortVector y1 = ShortVector.broadcast(SHORTS, xn[k + 1]);
            ShortVector y2 = ShortVector.broadcast(SHORTS, xn[k + 2]);
            ShortVector y3 = ShortVector.broadcast(SHORTS, xn[k + 3]);
            even = even.add(v.mul(y0)).add(v.lanewise(VectorOperators.LSHR, 8).mul(y2));
            odd = odd.add(v.lanewise(VectorOperators.LSHR, 4).mul(y1))
                    .add(v.lanewise(VectorOperators.LSHR, 12).mul(y3));
            even2 = even2.add(u.mul(y0)).add(u.lanewise(VectorOperators.LSHR, 8).mul(y2));
            odd2 = odd2.add(u.lanewise(VectorOperators.LSHR, 4).mul(y1))
                    .add(u.lanewise(VectorOperators.LSHR, 12).mul(y3));
            if ((w & 7) == 7) {
                // the block's -8 Σ x joins its sums here (exact modulo 2^16 in any order)
                int b = w >> 3;
                short bias = (short) (-8 * (int) qsum[b]);
                ShortVector sum = even.add(odd).add(bias);
                ShortVector sum2 = even2.add(odd2).add(bias);
                even = ShortVector.zero(SHORTS);
                odd = even;
                even2 = even;
                odd2 = even;
                int at = (first + b) * ROWS;
                int at2 = at + blocks * ROWS;
                float s = xs[b];
                low = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 0))
                        .fma(FloatVector.fromArray(FLOATS, d, at).mul(s), low);
                high = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 1))
                        .fma(FloatVector.fromArray(FLOATS, d, at + ROWS / 2).mul(s), high);
                low2 = ((FloatVector) sum2.convertShape(VectorOperators.S2F, FLOATS, 0))
                        .fma(FloatVector.fromArray(FLOATS, d, at2).mul(s), low2);
                high2 = ((FloatVector) sum2.convertShape(VectorOperators.S2F, FLOATS, 1))
                        .fma(FloatVector.fromArray(FLOATS, d, at2 + ROWS / 2).mul(s), high2);
            }
        }
        low.intoArray(scratch, 0);
        high.intoArray(scratch, ROWS / 2);
        low2.intoArray(scratch, ROWS);
        high2.intoArray(scratch, ROWS + ROWS / 2);
        copyOut(group, scratch, 0, out, outOff);
        copyOut(group + 1, scratch, ROWS, out, outOff);
    }

    @Override
    public void decodeQuants(int group, int k0, int kc, short[] panel, int at) {
        for (int block = group * blocks + k0 / 32, p = at, end = block + kc / 32; block < end; block++, p += 32 * ROWS) {
            words.decodeQuants(block, panel, p);
        }
    }

    /**
     * {@link #dotGroup}'s float step per block for {@link PanelSums#TOKENS} tokens: each token's exact Σ (q - 8) x
     * (the same integer as dotGroup's Σ q x - 8 Σ x) times d * its block scale, fused into its accumulators in block
     * order. A token's accumulators stay in registers over the panel's blocks, and each half of a block sum is loaded
     * on its own (widening the upper half of a whole vector costs C2 a cross-lane shuffle, several at AVX2).
     */
    @Override
    public void addBlocks(int group, int k0, int kc, short[] sums, int at, QuantizedVector[] xs, int t0, float[] acc, int a) {
        int half = ROWS / 2;
        int first = k0 / 32;
        int end = (k0 + kc) / 32;
        for (int j = 0, o = a; j < PanelSums.TOKENS; j++, o += ROWS) {
            float[] scale = xs[t0 + j].scale;
            FloatVector low = FloatVector.fromArray(FLOATS, acc, o);
            FloatVector high = FloatVector.fromArray(FLOATS, acc, o + half);
            for (int b = first, c = at + j * ROWS, d = (group * blocks + first) * ROWS; b < end; b++, c += PanelSums.BLOCK, d += ROWS) {
                float s = scale[b];
                low = ((FloatVector) ShortVector.fromArray(VectorWidth.HALF_SHORTS, sums, c).convertShape(VectorOperators.S2F, FLOATS, 0))
                        .fma(FloatVector.fromArray(FLOATS, scales, d).mul(s), low);
                high = ((FloatVector) ShortVector.fromArray(VectorWidth.HALF_SHORTS, sums, c + half).convertShape(VectorOperators.S2F, FLOATS, 0))
                        .fma(FloatVector.fromArray(FLOATS, scales, d + half).mul(s), high);
            }
            low.intoArray(acc, o);
            high.intoArray(acc, o + half);
        }
    }

    /** d * nibble - 8 d in one fused multiply-add per value, as {@link #dequantize} computes it. */
    @Override
    public void decodePanel(int group, int k0, int kc, float[] scratch, float[] panel) {
        for (int block = group * blocks + k0 / 32, p = 0, end = block + kc / 32; block < end; block++, p += 32 * ROWS) {
            for (int lane = 0; lane < ROWS; lane++) {
                scratch[lane] = -8f * scales[block * ROWS + lane];
            }
            words.decode(block, scales, block * ROWS, scratch, 0, panel, p);
        }
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        int lane = row % ROWS;
        for (int block = row / ROWS * blocks + col / 32, i = dstOff, end = dstOff + n; i < end; block++, i += 32) {
            float d = scales[block * ROWS + lane];
            float offset = -8f * d;
            for (int k = 0; k < 32; k++) {
                dst[i + k] = Math.fma((float) words.quant(block, lane, k), d, offset);
            }
        }
    }
}
