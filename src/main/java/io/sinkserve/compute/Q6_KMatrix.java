package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q6_K: super-blocks of 256 values = 16 sub-blocks of 16, each with a signed 8-bit scale. Layout:
 * 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 scales, half d. Each 128-value half n uses
 * ql[64n ..], qh[32n ..]; for l in 0..31 the byte pair ql[l], ql[l + 32] and qh[l] give the four values
 * l, l + 32, l + 64, l + 96 (value = d * scale * (q - 32)).
 *
 * <p>Repacked at load (see {@link GroupedMatrix}) in blocks of 32 values (two sub-blocks): each value as its byte q in
 * {@link QuantPairs}, so that a kernel gets values k and k + 1 of the whole group with one load and one shift instead
 * of unpacking 4 + 2 bits; both sub-blocks' scales in one 16-bit lane, d per super-block widened to float.
 * 276 bytes per 256 values against the file's 210: the one repacked type larger than its file, for the kernel's
 * sake (bench/KERNELS.md); the file's bytes are read once, at load.
 */
final class Q6_KMatrix extends GroupedMatrix {
    /** q (0..63) of values k and k + 1 of every row of a group per vector. */
    private final QuantPairs quants;
    /** [group][block][row lane]: the two sub-blocks' signed scales, the first in the low byte. */
    private final short[] scales;
    /** [group][super-block][row lane]: d. */
    private final float[] d;

    Q6_KMatrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q6_K, data, rows, cols);
        int superBlocks = cols / 256;
        int padded = laneBlocks(blocks);
        quants = new QuantPairs((long) groups * blocks);
        scales = new short[padded];
        d = new float[groups * ROWS * superBlocks];
        forEachBlock(256, (lane, superBlock, src, q) -> {
            d[superBlock * ROWS + lane] = half(data, src + 208);
            quants(data, src, q);
            for (int s = 0; s < 8; s++) {
                int block = superBlock * 8 + s;
                for (int k = 0; k < 32; k++) {
                    quants.set(block, k, lane, q[32 * s + k]);
                }
                int a = data.get(BYTE, src + 192 + 2 * s) & 0xFF;
                int b = data.get(BYTE, src + 193 + 2 * s) & 0xFF;
                scales[block * ROWS + lane] = (short) (a | b << 8);
            }
        });
    }

    /** The 256 quants (0..63) of the super-block at {@code off}, in value order. */
    private static void quants(MemorySegment data, long off, int[] q) {
        for (int n = 0; n < 2; n++) {
            for (int l = 0; l < 32; l++) {
                int ql0 = data.get(BYTE, off + 64 * n + l) & 0xFF;
                int ql1 = data.get(BYTE, off + 64 * n + 32 + l) & 0xFF;
                int qh = data.get(BYTE, off + 128 + 32 * n + l) & 0xFF;
                q[128 * n + l] = ql0 & 0x0F | (qh & 3) << 4;
                q[128 * n + l + 32] = ql1 & 0x0F | (qh >>> 2 & 3) << 4;
                q[128 * n + l + 64] = ql0 >>> 4 | (qh >>> 4 & 3) << 4;
                q[128 * n + l + 96] = ql1 >>> 4 | (qh >>> 6 & 3) << 4;
            }
        }
    }

    @Override
    QuantizedVector.Forms quantForms() {
        return QuantizedVector.Forms.PAIRS;
    }

    /**
     * Per 8 values (a quarter of a block, half a sub-block), Σ (q - 32) x = Σ q x - 32 Σ x for every row of the group,
     * summed in 16-bit lanes modulo 2^16 from the unmasked words ({@link QuantPairs}), which is exact because the true
     * sum is at most 8 * 32 * 127 in magnitude. Each
     * quarter is then scaled by d * its sub-block's scale * x's block scale, one fused multiply-add per quarter, in
     * value order.
     */
    @Override
    void dotGroup(int group, QuantizedVector x, float[] scratch, short[] sums, int sumsAt, float[] out, int outOff) {
        short[] xp = x.pairQ;
        short[] quarters = x.quarterSum;
        float[] xs = x.scale;
        MemorySegment seg = quants.segment();
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = acc0;
        FloatVector d0 = acc0;
        FloatVector d1 = acc0;
        FloatVector a0 = acc0;
        FloatVector a1 = acc0;
        FloatVector b0 = acc0;
        FloatVector b1 = acc0;
        int first = group * blocks;
        long off = QuantPairs.offset(first, 0);
        // one loop over the row's quarters, the pairs written out: a nested loop per quarter costs C2 more scalar set-up
        // than the quarter's vector work
        for (int j = 0, k = 0, end = 4 * blocks; j < end; j++, k += 8, off += 8L * ROWS) {
            if ((j & 3) == 0) {
                int b = j >> 2;
                int block = first + b;
                if ((b & 7) == 0) {
                    int at = block / 8 * ROWS;
                    d0 = FloatVector.fromArray(FLOATS, d, at);
                    d1 = FloatVector.fromArray(FLOATS, d, at + ROWS / 2);
                }
                ShortVector sm = ShortVector.fromArray(SHORTS, scales, block * ROWS);
                float s = xs[b];
                ShortVector lo = sm.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
                ShortVector hi = sm.lanewise(VectorOperators.ASHR, 8);
                a0 = ((FloatVector) lo.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d0).mul(s);
                a1 = ((FloatVector) lo.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d1).mul(s);
                b0 = ((FloatVector) hi.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d0).mul(s);
                b1 = ((FloatVector) hi.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d1).mul(s);
            }
            ShortVector w0 = ShortVector.fromMemorySegment(SHORTS, seg, off, LE);
            ShortVector w1 = ShortVector.fromMemorySegment(SHORTS, seg, off + 2 * ROWS, LE);
            ShortVector w2 = ShortVector.fromMemorySegment(SHORTS, seg, off + 4 * ROWS, LE);
            ShortVector w3 = ShortVector.fromMemorySegment(SHORTS, seg, off + 6 * ROWS, LE);
            ShortVector sum = ShortVector.broadcast(SHORTS, (short) (-32 * quarters[j]))
                    .add(w0.mul(xp[k]).add(w0.lanewise(VectorOperators.LSHR, 8).mul(xp[k + 1])))
                    .add(w1.mul(xp[k + 2]).add(w1.lanewise(VectorOperators.LSHR, 8).mul(xp[k + 3])))
                    .add(w2.mul(xp[k + 4]).add(w2.lanewise(VectorOperators.LSHR, 8).mul(xp[k + 5])))
                    .add(w3.mul(xp[k + 6]).add(w3.lanewise(VectorOperators.LSHR, 8).mul(xp[k + 7])));
            boolean low = (j & 2) == 0;
            acc0 = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 0)).fma(low ? a0 : b0, acc0);
            acc1 = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 1)).fma(low ? a1 : b1, acc1);
        }
        acc0.intoArray(scratch, 0);
        acc1.intoArray(scratch, ROWS / 2);
        copyOut(group, scratch, 0, out, outOff);
    }

    /**
     * {@link #dotGroup} for groups {@code group} and {@code group + 1} at once, each broadcast of an activation quant
     * serving both: per group the same operations in the same order, so each row gets the bits of a single call.
     */
    @Override
    void dotGroupPair(int group, QuantizedVector x, float[] scratch, float[] out, int outOff) {
        short[] xp = x.pairQ;
        short[] quarters = x.quarterSum;
        float[] xs = x.scale;
        MemorySegment seg = quants.segment();
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        FloatVector d0 = acc0;
        FloatVector d1 = acc0;
        FloatVector d2 = acc0;
        FloatVector d3 = acc0;
        FloatVector a0 = acc0;
        FloatVector a1 = acc0;
        FloatVector b0 = acc0;
        FloatVector b1 = acc0;
        FloatVector a2 = acc0;
        FloatVector a3 = acc0;
        FloatVector b2 = acc0;
        FloatVector b3 = acc0;
        int first = group * blocks;
        long off = QuantPairs.offset(first, 0);
        // the next group's words and scales are one group's stride further on
        long other = QuantPairs.offset(blocks, 0);
        for (int j = 0, k = 0, end = 4 * blocks; j < end; j++, k += 8, off += 8L * ROWS) {
            if ((j & 3) == 0) {
                int b = j >> 2;
                int block = first + b;
                int block2 = block + blocks;
                if ((b & 7) == 0) {
                    int at = block / 8 * ROWS;
                    int at2 = block2 / 8 * ROWS;
                    d0 = FloatVector.fromArray(FLOATS, d, at);
                    d1 = FloatVector.fromArray(FLOATS, d, at + ROWS / 2);
                    d2 = FloatVector.fromArray(FLOATS, d, at2);
                    d3 = FloatVector.fromArray(FLOATS, d, at2 + ROWS / 2);
                }
                float s = xs[b];
                ShortVector sm = ShortVector.fromArray(SHORTS, scales, block * ROWS);
                ShortVector lo = sm.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
                ShortVector hi = sm.lanewise(VectorOperators.ASHR, 8);
                a0 = ((FloatVector) lo.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d0).mul(s);
                a1 = ((FloatVector) lo.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d1).mul(s);
                b0 = ((FloatVector) hi.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d0).mul(s);
                b1 = ((FloatVector) hi.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d1).mul(s);
                ShortVector sm2 = ShortVector.fromArray(SHORTS, scales, block2 * ROWS);
                ShortVector lo2 = sm2.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
                ShortVector hi2 = sm2.lanewise(VectorOperators.ASHR, 8);
                a2 = ((FloatVector) lo2.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d2).mul(s);
                a3 = ((FloatVector) lo2.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d3).mul(s);
                b2 = ((FloatVector) hi2.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d2).mul(s);
                b3 = ((FloatVector) hi2.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d3).mul(s);
            }
            ShortVector bias = ShortVector.broadcast(SHORTS, (short) (-32 * quarters[j]));
            ShortVector y0 = ShortVector.broadcast(SHORTS, xp[k]);
            ShortVector y1 = ShortVector.broadcast(SHORTS, xp[k + 1]);
            ShortVector w = ShortVector.fromMemorySegment(SHORTS, seg, off, LE);
            ShortVector u = ShortVector.fromMemorySegment(SHORTS, seg, off + other, LE);
            ShortVector sum = bias.add(w.mul(y0).add(w.lanewise(VectorOperators.LSHR, 8).mul(y1)));
            ShortVector sum2 = bias.add(u.mul(y0).add(u.lanewise(VectorOperators.LSHR, 8).mul(y1)));
            y0 = ShortVector.broadcast(SHORTS, xp[k + 2]);
            y1 = ShortVector.broadcast(SHORTS, xp[k + 3]);
            w = ShortVector.fromMemorySegment(SHORTS, seg, off + 2 * ROWS, LE);
            u = ShortVector.fromMemorySegment(SHORTS, seg, off + other + 2 * ROWS, LE);
            sum = sum.add(w.mul(y0).add(w.lanewise(VectorOperators.LSHR, 8).mul(y1)));
            sum2 = sum2.add(u.mul(y0).add(u.lanewise(VectorOperators.LSHR, 8).mul(y1)));
            y0 = ShortVector.broadcast(SHORTS, xp[k + 4]);
            y1 = ShortVector.broadcast(SHORTS, xp[k + 5]);
            w = ShortVector.fromMemorySegment(SHORTS, seg, off + 4 * ROWS, LE);
            u = ShortVector.fromMemorySegment(SHORTS, seg, off + other + 4 * ROWS, LE);
            sum = sum.add(w.mul(y0).add(w.lanewise(VectorOperators.LSHR, 8).mul(y1)));
            sum2 = sum2.add(u.mul(y0).add(u.lanewise(VectorOperators.LSHR, 8).mul(y1)));
            y0 = ShortVector.broadcast(SHORTS, xp[k + 6]);
            y1 = ShortVector.broadcast(SHORTS, xp[k + 7]);
            w = ShortVector.fromMemorySegment(SHORTS, seg, off + 6 * ROWS, LE);
            u = ShortVector.fromMemorySegment(SHORTS, seg, off + other + 6 * ROWS, LE);
            sum = sum.add(w.mul(y0).add(w.lanewise(VectorOperators.LSHR, 8).mul(y1)));
            sum2 = sum2.add(u.mul(y0).add(u.lanewise(VectorOperators.LSHR, 8).mul(y1)));
            boolean low = (j & 2) == 0;
            acc0 = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 0)).fma(low ? a0 : b0, acc0);
            acc1 = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 1)).fma(low ? a1 : b1, acc1);
            acc2 = ((FloatVector) sum2.convertShape(VectorOperators.S2F, FLOATS, 0)).fma(low ? a2 : b2, acc2);
            acc3 = ((FloatVector) sum2.convertShape(VectorOperators.S2F, FLOATS, 1)).fma(low ? a3 : b3, acc3);
        }
        acc0.intoArray(scratch, 0);
        acc1.intoArray(scratch, ROWS / 2);
        acc2.intoArray(scratch, ROWS);
        acc3.intoArray(scratch, ROWS + ROWS / 2);
        copyOut(group, scratch, 0, out, outOff);
        copyOut(group + 1, scratch, ROWS, out, outOff);
    }

    /** (q - 32) * (d * scale), rounded once, as {@link #dequantize} computes it. */
    @Override
    public void decodePanel(int group, int k0, int kc, float[] scratch, float[] panel) {
        for (int block = group * blocks + k0 / 32, p = 0, end = block + kc / 32; block < end; block++, p += 32 * ROWS) {
            for (int lane = 0; lane < ROWS; lane++) {
                scratch[lane] = scale(block, lane, 0);
                scratch[ROWS + lane] = scale(block, lane, 1);
            }
            quants.decode(block, 32, scratch, 0, ROWS, panel, p);
        }
    }

    /** d * the scale of sub-block {@code sub} (0, 1) of a block's row. */
    private float scale(int block, int lane, int sub) {
        return d[block / 8 * ROWS + lane] * (byte) (scales[block * ROWS + lane] >> 8 * sub);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        int lane = row % ROWS;
        for (int block = row / ROWS * blocks + col / 32, i = dstOff, end = dstOff + n; i < end; block++, i += 32) {
            float first = scale(block, lane, 0);
            float second = scale(block, lane, 1);
            for (int k = 0; k < 32; k++) {
                dst[i + k] = (quants.get(block, k, lane) - 32) * (k < 16 ? first : second);
            }
        }
    }
}
