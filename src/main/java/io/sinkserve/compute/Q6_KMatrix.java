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
 * <p>Repacked at load (see {@link GroupedMatrix}) in blocks of 32 values (two sub-blocks): the low 4 bits into
 * {@link NibbleWords}, the high 2 bits into four 16-bit words per row after each block's nibbles, in the same
 * stream (word j holding values 8j .. 8j + 7, see {@link NibbleWords#highBitPosition}), both sub-blocks' scales in one 16-bit lane, d per super-block
 * widened to float. 216 bytes per 256 values against the file's 210; the file's bytes are read once, at load.
 */
final class Q6_KMatrix extends GroupedMatrix {
    /** The low 4 bits, each block followed by four word vectors of high 2 bits (8 values per word). */
    private final NibbleWords low;
    /** [group][block][row lane]: the two sub-blocks' signed scales, the first in the low byte. */
    private final short[] scales;
    /** [group][super-block][row lane]: d. */
    private final float[] d;

    Q6_KMatrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q6_K, data, rows, cols);
        int superBlocks = cols / 256;
        int padded = laneBlocks(blocks);
        low = new NibbleWords((long) groups * blocks, 4);
        scales = new short[padded];
        d = new float[groups * ROWS * superBlocks];
        // the super-block's 256 quants, then one block's low nibbles
        forEachBlock(256 + 32, (lane, superBlock, src, q) -> {
            d[superBlock * ROWS + lane] = half(data, src + 208);
            quants(data, src, q);
            for (int s = 0; s < 8; s++) {
                int block = superBlock * 8 + s;
                for (int i = 0; i < 32; i++) {
                    q[256 + i] = q[32 * s + i] & 0x0F;
                }
                low.put(block, lane, q, 256);
                for (int j = 0; j < 4; j++) {
                    int word = 0;
                    for (int i = 0; i < 8; i++) {
                        word |= (q[32 * s + 8 * j + i] >>> 4) << NibbleWords.highBitPosition(i);
                    }
                    low.putExtra(block, j, lane, (short) word);
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
     * Per 8 values (a quarter of a block, half a sub-block), Σ (q - 32) x for every row of the group, summed in
     * 16-bit lanes as Σ q x - 32 Σ x modulo 2^16: the true sum is at most 8 * 32 * 127 in magnitude, so the
     * wrapped result is exact. Each quarter is then scaled by d * its sub-block's scale * x's block scale, one
     * fused multiply-add per quarter, in value order.
     */
    @Override
    void dotGroup(int group, QuantizedVector x, float[] scratch, short[] sums, int sumsAt, float[] out, int outOff) {
        short[] xq = x.q;
        short[] qsum8 = x.qsum8;
        float[] xs = x.scale;
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = FloatVector.zero(FLOATS);
        FloatVector d0 = acc0;
        FloatVector d1 = acc0;
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
            low.sum6(block, xq, qsum8, 32 * b, sums);
            for (int j = 0; j < 4; j++) {
                ShortVector sum = ShortVector.fromArray(SHORTS, sums, j * ROWS);
                FloatVector s0 = j < 2 ? a0 : b0;
                FloatVector s1 = j < 2 ? a1 : b1;
                acc0 = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 0)).fma(s0, acc0);
                acc1 = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 1)).fma(s1, acc1);
            }
        }
        acc0.intoArray(scratch, 0);
        acc1.intoArray(scratch, ROWS / 2);
        copyOut(group, scratch, out, outOff);
    }

    /** (q - 32) * (d * scale), rounded once, as {@link #dequantize} computes it. */
    @Override
    void decodePanel(int group, int k0, int kc, float[] scratch, float[] panel) {
        for (int block = group * blocks + k0 / 32, p = 0, end = block + kc / 32; block < end; block++) {
            for (int lane = 0; lane < ROWS; lane++) {
                scratch[lane] = scale(block, lane, 0);
                scratch[ROWS + lane] = scale(block, lane, 1);
            }
            for (int j = 0; j < 4; j++, p += 8 * ROWS) {
                low.decode6(block, j, scratch, j / 2 * ROWS, panel, p);
            }
        }
    }

    /** d * the scale of sub-block {@code sub} (0, 1) of a block's row. */
    private float scale(int block, int lane, int sub) {
        return d[block / 8 * ROWS + lane] * (byte) (scales[block * ROWS + lane] >> 8 * sub);
    }

    private int quantAt(int block, int lane, int k) {
        int word = low.extra(block, k >> 3, lane);
        return low.quant(block, lane, k) | (word >>> NibbleWords.highBitPosition(k & 7) & 3) << 4;
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        int lane = row % ROWS;
        for (int block = row / ROWS * blocks + col / 32, i = dstOff, end = dstOff + n; i < end; block++, i += 32) {
            float first = scale(block, lane, 0);
            float second = scale(block, lane, 1);
            for (int k = 0; k < 32; k++) {
                dst[i + k] = (quantAt(block, lane, k) - 32) * (k < 16 ? first : second);
            }
        }
    }
}
