package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q6_K: super-blocks of 256 values = 16 sub-blocks of 16, each with a signed 8-bit scale. Layout:
 * 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 scales, half d. Each 128-value half n uses
 * ql[64n ..], qh[32n ..]; for l in 0..31 the byte pair ql[l], ql[l + 32] and qh[l] give the four values
 * l, l + 32, l + 64, l + 96 (value = d * scale * (q - 32)).
 *
 * <p>Repacked at load (see {@link GroupedMatrix}) in blocks of 32 values (two sub-blocks): each value as the signed
 * byte q - 32 in {@link LaneBytes}, so that a kernel gets value k of the whole group with one load and one sign
 * extension instead of unpacking 4 + 2 bits; both sub-blocks' scales in one 16-bit lane, d per super-block widened to float.
 * 276 bytes per 256 values against the file's 210: the one repacked type larger than its file, for the kernel's
 * sake (bench/KERNELS.md); the file's bytes are read once, at load.
 */
final class Q6_KMatrix extends GroupedMatrix {
    /** q - 32 of value k of every row of a group per vector. */
    private final LaneBytes quants;
    /** [group][block][row lane]: the two sub-blocks' signed scales, the first in the low byte. */
    private final short[] scales;
    /** [group][super-block][row lane]: d. */
    private final float[] d;

    Q6_KMatrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q6_K, data, rows, cols);
        int superBlocks = cols / 256;
        int padded = laneBlocks(blocks);
        quants = new LaneBytes((long) groups * blocks);
        scales = new short[padded];
        d = new float[groups * ROWS * superBlocks];
        forEachBlock(256, (lane, superBlock, src, q) -> {
            d[superBlock * ROWS + lane] = half(data, src + 208);
            quants(data, src, q);
            for (int s = 0; s < 8; s++) {
                int block = superBlock * 8 + s;
                for (int k = 0; k < 32; k++) {
                    quants.set(block, k, lane, (byte) (q[32 * s + k] - 32));
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

    /**
     * Per 8 values (a quarter of a block, half a sub-block), Σ (q - 32) x for every row of the group, summed exactly
     * in 16-bit lanes (each product is at most 32 * 127 in magnitude, so a quarter's sum at most 8 * 32 * 127). Each
     * quarter is then scaled by d * its sub-block's scale * x's block scale, one fused multiply-add per quarter, in
     * value order.
     */
    @Override
    void dotGroup(int group, QuantizedVector x, float[] scratch, short[] sums, int sumsAt, float[] out, int outOff) {
        short[] xq = x.q;
        float[] xs = x.scale;
        MemorySegment seg = quants.segment();
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = FloatVector.zero(FLOATS);
        FloatVector d0 = acc0;
        FloatVector d1 = acc0;
        long off = LaneBytes.offset((long) group * blocks, 0);
        for (int b = 0, block = group * blocks; b < blocks; b++, block++) {
            if ((b & 7) == 0) {
                int at = block / 8 * ROWS;
                d0 = FloatVector.fromArray(FLOATS, d, at);
                d1 = FloatVector.fromArray(FLOATS, d, at + ROWS / 2);
            }
            ShortVector sm = ShortVector.fromArray(SHORTS, scales, block * ROWS);
            float s = xs[b];
            ShortVector first = sm.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
            ShortVector second = sm.lanewise(VectorOperators.ASHR, 8);
            FloatVector a0 = ((FloatVector) first.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d0).mul(s);
            FloatVector a1 = ((FloatVector) first.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d1).mul(s);
            FloatVector b0 = ((FloatVector) second.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d0).mul(s);
            FloatVector b1 = ((FloatVector) second.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d1).mul(s);
            for (int j = 0, k = 32 * b; j < 4; j++) {
                ShortVector sum = ShortVector.zero(SHORTS);
                for (int end = k + 8; k < end; k += 2, off += 2L * ROWS) {
                    ShortVector q0 = (ShortVector) ByteVector.fromMemorySegment(LaneBytes.BYTES, seg, off, LE)
                            .convertShape(VectorOperators.B2S, SHORTS, 0);
                    ShortVector q1 = (ShortVector) ByteVector.fromMemorySegment(LaneBytes.BYTES, seg, off + ROWS, LE)
                            .convertShape(VectorOperators.B2S, SHORTS, 0);
                    sum = sum.add(q0.mul(xq[k]).add(q1.mul(xq[k + 1])));
                }
                FloatVector s0 = j < 2 ? a0 : b0;
                FloatVector s1 = j < 2 ? a1 : b1;
                acc0 = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 0)).fma(s0, acc0);
                acc1 = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 1)).fma(s1, acc1);
            }
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
        short[] xq = x.q;
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
        long off = LaneBytes.offset((long) group * blocks, 0);
        // the next group's bytes and scales are one group's stride further on
        long other = LaneBytes.offset(blocks, 0);
        for (int b = 0, block = group * blocks; b < blocks; b++, block++) {
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
            ShortVector first = sm.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
            ShortVector second = sm.lanewise(VectorOperators.ASHR, 8);
            FloatVector a0 = ((FloatVector) first.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d0).mul(s);
            FloatVector a1 = ((FloatVector) first.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d1).mul(s);
            FloatVector b0 = ((FloatVector) second.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d0).mul(s);
            FloatVector b1 = ((FloatVector) second.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d1).mul(s);
            ShortVector sm2 = ShortVector.fromArray(SHORTS, scales, block2 * ROWS);
            ShortVector first2 = sm2.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8);
            ShortVector second2 = sm2.lanewise(VectorOperators.ASHR, 8);
            FloatVector a2 = ((FloatVector) first2.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d2).mul(s);
            FloatVector a3 = ((FloatVector) first2.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d3).mul(s);
            FloatVector b2 = ((FloatVector) second2.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d2).mul(s);
            FloatVector b3 = ((FloatVector) second2.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d3).mul(s);
            for (int j = 0, k = 32 * b; j < 4; j++) {
                ShortVector sum = ShortVector.zero(SHORTS);
                ShortVector sum2 = sum;
                for (int end = k + 8; k < end; k += 2, off += 2L * ROWS) {
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
                    sum = sum.add(q0.mul(y0).add(q1.mul(y1)));
                    sum2 = sum2.add(u0.mul(y0).add(u1.mul(y1)));
                }
                acc0 = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 0)).fma(j < 2 ? a0 : b0, acc0);
                acc1 = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 1)).fma(j < 2 ? a1 : b1, acc1);
                acc2 = ((FloatVector) sum2.convertShape(VectorOperators.S2F, FLOATS, 0)).fma(j < 2 ? a2 : b2, acc2);
                acc3 = ((FloatVector) sum2.convertShape(VectorOperators.S2F, FLOATS, 1)).fma(j < 2 ? a3 : b3, acc3);
            }
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
            quants.decode(block, scratch, 0, ROWS, panel, p);
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
                dst[i + k] = quants.get(block, k, lane) * (k < 16 ? first : second);
            }
        }
    }
}
