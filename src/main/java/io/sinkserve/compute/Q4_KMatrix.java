package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_K: super-blocks of 256 values = 8 sub-blocks of 32. Layout: half d, half dmin, 12 bytes of
 * 6-bit sub-block scales and mins (see {@link #scales}), 128 bytes of nibbles. Each 64-value group j
 * reads 32 bytes: low nibbles are sub-block 2j, high nibbles sub-block 2j + 1.
 * value = d * scale[s] * q - dmin * min[s].
 *
 * <p>Repacked at load (see {@link GroupedMatrix}): the nibbles into {@link NibbleWords} (a sub-block per block),
 * each row's 6-bit scale and min of a sub-block in one 16-bit lane (scale in the low byte), and d and dmin per
 * super-block widened to float. 152 bytes per 256 values against the file's 144; the file's bytes are read
 * once, at load.
 */
final class Q4_KMatrix extends GroupedMatrix implements QuantizedGemm.Panels {
    private final NibbleWords words;
    /** [group][sub-block][row lane]: scale | min << 8. */
    private final short[] scaleMins;
    /** [group][super-block][row lane]: d and dmin. */
    private final float[] d;
    private final float[] dmin;

    Q4_KMatrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q4_K, data, rows, cols);
        int superBlocks = cols / 256;
        int padded = laneBlocks(blocks);
        words = new NibbleWords((long) groups * blocks);
        scaleMins = new short[padded];
        d = new float[groups * ROWS * superBlocks];
        dmin = new float[d.length];
        forEachBlock(64, (lane, superBlock, src, q) -> {
            d[superBlock * ROWS + lane] = half(data, src);
            dmin[superBlock * ROWS + lane] = half(data, src + 2);
            long lo = data.get(LONG, src + 4);
            int hi = data.get(INT, src + 12);
            long sc = scales(lo, hi);
            long mn = mins(lo, hi);
            for (int j = 0; j < 4; j++) {
                for (int i = 0; i < 32; i++) {
                    int packed = data.get(BYTE, src + 16 + 32 * j + i) & 0xFF;
                    q[i] = packed & 0x0F;
                    q[32 + i] = packed >>> 4;
                }
                for (int h = 0; h < 2; h++) {
                    int s = 2 * j + h;
                    int block = superBlock * 8 + s;
                    words.put(block, lane, q, 32 * h);
                    scaleMins[block * ROWS + lane] = (short) ((int) (sc >>> 8 * s & 0xFF) | (int) (mn >>> 8 * s & 0xFF) << 8);
                }
            }
        });
    }

    /**
     * The eight 6-bit sub-block scales, one per byte, from the 12 packed bytes read as a little-endian
     * long (bytes 0..7) and int (bytes 8..11): sub-blocks 0..3 use the low 6 bits of bytes 0..3;
     * sub-blocks 4..7 take 4 low bits from bytes 8..11 and their 2 high bits from the top of bytes 0..3.
     */
    static long scales(long lo, int hi) {
        int high = hi & 0x0F0F0F0F | (int) (lo >>> 2) & 0x30303030;
        return lo & 0x3F3F3F3FL | (long) high << 32;
    }

    /** The eight 6-bit mins, packed like {@link #scales} in bytes 4..7 and the high nibbles of 8..11. */
    static long mins(long lo, int hi) {
        int high = hi >>> 4 & 0x0F0F0F0F | (int) (lo >>> 34) & 0x30303030;
        return lo >>> 32 & 0x3F3F3F3FL | (long) high << 32;
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
     * Per sub-block b, with D = scale * d and M = min * dmin per row: Σ q x over its 32 values is summed in
     * 16-bit lanes as Σ (q - 8) x + 8 Σ x, the first exactly modulo 2^16 (its magnitude is at most
     * 32 * 8 * 127) and the second added in float (both integers below 2^24, so exactly); then
     * acc = fma(Σ q x, D * x's block scale, acc) and mins = fma(M, x's block sum, mins) in block order, and the
     * row's result is acc - mins.
     */
    @Override
    void dotGroup(int group, QuantizedVector x, float[] scratch, short[] sums, int sumsAt, float[] out, int outOff) {
        short[] xn = x.nibbleQ;
        float[] qsum = x.qsum;
        float[] xs = x.scale;
        float[] xsum = x.sum;
        MemorySegment seg = words.segment();
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = FloatVector.zero(FLOATS);
        FloatVector minsLow = FloatVector.zero(FLOATS);
        FloatVector minsHigh = FloatVector.zero(FLOATS);
        FloatVector d0 = low;
        FloatVector d1 = low;
        FloatVector m0 = low;
        FloatVector m1 = low;
        for (int b = 0, block = group * blocks; b < blocks; b++, block++) {
            if ((b & 7) == 0) {
                int at = block / 8 * ROWS;
                d0 = FloatVector.fromArray(FLOATS, d, at);
                d1 = FloatVector.fromArray(FLOATS, d, at + ROWS / 2);
                m0 = FloatVector.fromArray(FLOATS, dmin, at);
                m1 = FloatVector.fromArray(FLOATS, dmin, at + ROWS / 2);
            }
            int bias = (int) qsum[b];
            ShortVector sum;
            if (sumsAt < 0) {
                // as Q4_0Matrix#dotGroup: Σ q x - 8 Σ x on unmasked nibble words in two chains, written out
                ShortVector even = ShortVector.broadcast(SHORTS, (short) (-8 * bias));
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
            ShortVector sm = ShortVector.fromArray(SHORTS, scaleMins, block * ROWS);
            ShortVector sc = sm.and((short) 0xFF);
            ShortVector mn = sm.lanewise(VectorOperators.LSHR, 8);
            float s = xs[b];
            float offset = 8f * bias;
            FloatVector xsumB = FloatVector.broadcast(FLOATS, xsum[b]);
            low = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 0)).add(offset)
                    .fma(((FloatVector) sc.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(d0).mul(s), low);
            high = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 1)).add(offset)
                    .fma(((FloatVector) sc.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(d1).mul(s), high);
            minsLow = ((FloatVector) mn.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(m0).fma(xsumB, minsLow);
            minsHigh = ((FloatVector) mn.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(m1).fma(xsumB, minsHigh);
        }
        low.sub(minsLow).intoArray(scratch, 0);
        high.sub(minsHigh).intoArray(scratch, ROWS / 2);
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
        float[] xsum = x.sum;
        MemorySegment seg = words.segment();
        // the next group's words, scales and mins are one group's stride further on
        long other = words.offset(blocks);
        FloatVector low = FloatVector.zero(FLOATS);
        FloatVector high = low;
        FloatVector minsLow = low;
        FloatVector minsHigh = low;
        FloatVector low2 = low;
        FloatVector high2 = low;
        FloatVector minsLow2 = low;
        FloatVector minsHigh2 = low;
        ShortVector even = ShortVector.zero(SHORTS);
        ShortVector odd = even;
        ShortVector even2 = even;
        ShortVector odd2 = even;
        int first = group * blocks;
        long off = words.offset(first);
        // one loop over the row's words, each block's float steps after its eighth (as Q4_0Matrix#dotGroupPair)
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
                int b = w >> 3;
                int block = first + b;
                int bias = (int) qsum[b];
                // the block's -8 Σ x joins its sums here (exact modulo 2^16 in any order)
                ShortVector sum = even.add(odd).add((short) (-8 * bias));
                ShortVector sum2 = even2.add(odd2).add((short) (-8 * bias));
                even = ShortVector.zero(SHORTS);
                odd = even;
                even2 = even;
                odd2 = even;
                float s = xs[b];
                float offset = 8f * bias;
                FloatVector xsumB = FloatVector.broadcast(FLOATS, xsum[b]);
                ShortVector sm = ShortVector.fromArray(SHORTS, scaleMins, block * ROWS);
                ShortVector sc = sm.and((short) 0xFF);
                ShortVector mn = sm.lanewise(VectorOperators.LSHR, 8);
                int at = block / 8 * ROWS;
                low = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 0)).add(offset)
                        .fma(((FloatVector) sc.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(FloatVector.fromArray(FLOATS, d, at)).mul(s), low);
                high = ((FloatVector) sum.convertShape(VectorOperators.S2F, FLOATS, 1)).add(offset)
                        .fma(((FloatVector) sc.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(FloatVector.fromArray(FLOATS, d, at + ROWS / 2)).mul(s), high);
                minsLow = ((FloatVector) mn.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(FloatVector.fromArray(FLOATS, dmin, at)).fma(xsumB, minsLow);
                minsHigh = ((FloatVector) mn.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(FloatVector.fromArray(FLOATS, dmin, at + ROWS / 2)).fma(xsumB, minsHigh);
                int block2 = block + blocks;
                ShortVector sm2 = ShortVector.fromArray(SHORTS, scaleMins, block2 * ROWS);
                ShortVector sc2 = sm2.and((short) 0xFF);
                ShortVector mn2 = sm2.lanewise(VectorOperators.LSHR, 8);
                int at2 = block2 / 8 * ROWS;
                low2 = ((FloatVector) sum2.convertShape(VectorOperators.S2F, FLOATS, 0)).add(offset)
                        .fma(((FloatVector) sc2.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(FloatVector.fromArray(FLOATS, d, at2)).mul(s), low2);
                high2 = ((FloatVector) sum2.convertShape(VectorOperators.S2F, FLOATS, 1)).add(offset)
                        .fma(((FloatVector) sc2.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(FloatVector.fromArray(FLOATS, d, at2 + ROWS / 2)).mul(s), high2);
                minsLow2 = ((FloatVector) mn2.convertShape(VectorOperators.S2F, FLOATS, 0)).mul(FloatVector.fromArray(FLOATS, dmin, at2)).fma(xsumB, minsLow2);
                minsHigh2 = ((FloatVector) mn2.convertShape(VectorOperators.S2F, FLOATS, 1)).mul(FloatVector.fromArray(FLOATS, dmin, at2 + ROWS / 2)).fma(xsumB, minsHigh2);
            }
        }
        low.sub(minsLow).intoArray(scratch, 0);
        high.sub(minsHigh).intoArray(scratch, ROWS / 2);
        low2.sub(minsLow2).intoArray(scratch, ROWS);
        high2.sub(minsHigh2).intoArray(scratch, ROWS + ROWS / 2);
        copyOut(group, scratch, 0, out, outOff);
        copyOut(group + 1, scratch, ROWS, out, outOff);
    }

    @Override
    public void decodeQuants(int group, int k0, int kc, short[] panel, int at) {
        for (int block = group * blocks + k0 / 32, p = at, end = block + kc / 32; block < end; block++, p += 32 * ROWS) {
            words.decodeQuants(block, panel, p);
        }
    }

    /** Per token: {@link #dotGroup}'s four accumulators (scaled sums of the two halves, then their mins). */
    @Override
    public int accumulators() {
        return 2 * ROWS;
    }

    /** acc - mins, per lane, as {@link #dotGroup} ends. */
    @Override
    public void finish(float[] acc, int a, float[] out, int outOff, int count) {
        for (int i = 0; i < count; i++) {
            out[outOff + i] = acc[a + i] - acc[a + ROWS + i];
        }
    }

    /**
     * {@link #dotGroup}'s float steps per sub-block for {@link PanelSums#TOKENS} tokens: each token's exact
     * Σ (q - 8) x plus 8 Σ x, times D * its block scale, into the scaled sums of the group's two halves, and M times its
     * block sum into their mins (kept in {@code acc} between blocks). Halves of the block sums and of the scales and
     * mins are loaded on their own (widening the upper half of a whole vector costs C2 a cross-lane shuffle).
     */
    @Override
    public void addBlocks(int group, int k0, int kc, short[] sums, int at, QuantizedVector[] xs, int t0, float[] acc, int a) {
        int h = ROWS / 2;
        for (int b = k0 / 32, end = (k0 + kc) / 32; b < end; b++, at += PanelSums.BLOCK) {
            int block = group * blocks + b;
            int sb = block / 8 * ROWS;
            ShortVector smLow = ShortVector.fromArray(VectorWidth.HALF_SHORTS, scaleMins, block * ROWS);
            ShortVector smHigh = ShortVector.fromArray(VectorWidth.HALF_SHORTS, scaleMins, block * ROWS + h);
            FloatVector sc0 = ((FloatVector) smLow.and((short) 0xFF).convertShape(VectorOperators.S2F, FLOATS, 0)).mul(FloatVector.fromArray(FLOATS, d, sb));
            FloatVector sc1 = ((FloatVector) smHigh.and((short) 0xFF).convertShape(VectorOperators.S2F, FLOATS, 0)).mul(FloatVector.fromArray(FLOATS, d, sb + h));
            FloatVector mn0 = ((FloatVector) smLow.lanewise(VectorOperators.LSHR, 8).convertShape(VectorOperators.S2F, FLOATS, 0)).mul(FloatVector.fromArray(FLOATS, dmin, sb));
            FloatVector mn1 = ((FloatVector) smHigh.lanewise(VectorOperators.LSHR, 8).convertShape(VectorOperators.S2F, FLOATS, 0)).mul(FloatVector.fromArray(FLOATS, dmin, sb + h));
            for (int j = 0, o = a; j < PanelSums.TOKENS; j++, o += 2 * ROWS) {
                QuantizedVector x = xs[t0 + j];
                int c = at + j * ROWS;
                float s = x.scale[b];
                float offset = 8f * (int) x.qsum[b];
                FloatVector xsum = FloatVector.broadcast(FLOATS, x.sum[b]);
                ((FloatVector) ShortVector.fromArray(VectorWidth.HALF_SHORTS, sums, c).convertShape(VectorOperators.S2F, FLOATS, 0)).add(offset)
                        .fma(sc0.mul(s), FloatVector.fromArray(FLOATS, acc, o)).intoArray(acc, o);
                ((FloatVector) ShortVector.fromArray(VectorWidth.HALF_SHORTS, sums, c + h).convertShape(VectorOperators.S2F, FLOATS, 0)).add(offset)
                        .fma(sc1.mul(s), FloatVector.fromArray(FLOATS, acc, o + h)).intoArray(acc, o + h);
                mn0.fma(xsum, FloatVector.fromArray(FLOATS, acc, o + ROWS)).intoArray(acc, o + ROWS);
                mn1.fma(xsum, FloatVector.fromArray(FLOATS, acc, o + ROWS + h)).intoArray(acc, o + ROWS + h);
            }
        }
    }

    /** D * q - M in one fused multiply-add per value, as {@link #dequantize} computes it. */
    @Override
    public void decodePanel(int group, int k0, int kc, float[] scratch, float[] panel) {
        for (int block = group * blocks + k0 / 32, p = 0, end = block + kc / 32; block < end; block++, p += 32 * ROWS) {
            for (int lane = 0; lane < ROWS; lane++) {
                scratch[lane] = scale(block, lane);
                scratch[ROWS + lane] = -min(block, lane);
            }
            words.decode(block, scratch, 0, scratch, ROWS, panel, p);
        }
    }

    /** D of a sub-block's row: d * its 6-bit scale. */
    private float scale(int block, int lane) {
        return (scaleMins[block * ROWS + lane] & 0xFF) * d[block / 8 * ROWS + lane];
    }

    /** M of a sub-block's row: dmin * its 6-bit min. */
    private float min(int block, int lane) {
        return (scaleMins[block * ROWS + lane] >>> 8 & 0xFF) * dmin[block / 8 * ROWS + lane];
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        int lane = row % ROWS;
        for (int block = row / ROWS * blocks + col / 32, i = dstOff, end = dstOff + n; i < end; block++, i += 32) {
            float scale = scale(block, lane);
            float offset = -min(block, lane);
            for (int k = 0; k < 32; k++) {
                dst[i + k] = Math.fma((float) words.quant(block, lane, k), scale, offset);
            }
        }
    }
}
