package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml Q4_K: super-blocks of 256 values = 8 sub-blocks of 32. Layout: half d, half dmin, 12 bytes of
 * 6-bit sub-block scales and mins (see {@link #scales}), 128 bytes of nibbles. Each 64-value group j
 * reads 32 bytes: low nibbles are sub-block 2j, high nibbles sub-block 2j + 1.
 * value = d * scale[s] * q - dmin * min[s].
 */
final class Q4_KMatrix extends QuantizedMatrix implements BlockScaledRows {
    static final int BLOCK_BYTES = 144;
    private static final VectorSpecies<Long> L128 = LongVector.SPECIES_128;

    Q4_KMatrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q4_K, data, rows, cols);
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

    /**
     * The first pass unpacks each super-block's 6-bit scales and mins with a few word operations and widens
     * each set of eight to float lanes: block scales go to {@code scales[0 .. blocks)}, the mins to
     * {@code scales[blocks ..)}, which are then dotted with the activation's block sums (as
     * {@link DecodedRow#dot} does: both must give the same bits). The vector loop takes one step per
     * 64-value group: its 32 bytes hold sub-block 2j in the low nibbles and 2j + 1 in the high ones, so each
     * byte is loaded once for both. It calls no helper of ours: with the scale pass's vectors in the same
     * method, C2 passes its inlining node budget, stops inlining our helpers (not the Vector API's own
     * methods) and a helper left out of line boxes its vectors.
     */
    @Override
    float dot(int row, QuantizedVector x, float[] scales) {
        long base = offset(row, 0);
        int superBlocks = cols / 256;
        int blocks = 8 * superBlocks;
        for (int sb = 0; sb < superBlocks; sb++) {
            long off = base + (long) sb * BLOCK_BYTES;
            float d = Float.float16ToFloat(data.get(SHORT, off));
            float dmin = Float.float16ToFloat(data.get(SHORT, off + 2));
            long lo = data.get(LONG, off + 4);
            int hi = data.get(INT, off + 12);
            // the eight scale (min) bytes of a long, widened to eight float lanes
            FloatVector sc = (FloatVector) LongVector.broadcast(L128, scales(lo, hi)).reinterpretAsBytes()
                    .convertShape(VectorOperators.B2F, F, 0);
            FloatVector mn = (FloatVector) LongVector.broadcast(L128, mins(lo, hi)).reinterpretAsBytes()
                    .convertShape(VectorOperators.B2F, F, 0);
            sc.mul(d).mul(FloatVector.fromArray(F, x.scale, 8 * sb)).intoArray(scales, 8 * sb);
            mn.mul(dmin).intoArray(scales, blocks + 8 * sb);
        }
        // Σ_b min_b x.sum_b in FloatOps.dot's order, to its bits (element b to logical lane b mod 16, the tail in
        // order). Written out, not called: for the reason FixedOrder#dot gives, and its scalar loop cost this kernel
        // about a tenth of its speed (JMH, one thread, from cache).
        FloatVector minsLow = FloatVector.zero(F);
        FloatVector minsHigh = FloatVector.zero(F);
        int b = 0;
        for (int end = blocks / 16 * 16; b < end; b += 16) {
            minsLow = FloatVector.fromArray(F, scales, blocks + b).fma(FloatVector.fromArray(F, x.sum, b), minsLow);
            minsHigh = FloatVector.fromArray(F, scales, blocks + b + 8).fma(FloatVector.fromArray(F, x.sum, b + 8), minsHigh);
        }
        minsLow.intoArray(scales, 2 * blocks);
        minsHigh.intoArray(scales, 2 * blocks + 8);
        float mins = FixedOrder.sum16(scales, 2 * blocks);
        for (; b < blocks; b++) {
            mins = Math.fma(scales[blocks + b], x.sum[b], mins);
        }
        short[] xq = x.q;
        // low and high nibbles in separate accumulators: two independent FMA chains
        FloatVector accLow = FloatVector.zero(F);
        FloatVector accHigh = FloatVector.zero(F);
        // one loop over the 64-value groups: a nested loop of four would get C2's pre-loop and range-check
        // set-up once per super-block, which costs as much as the groups themselves
        for (int g = 0, groups = 4 * superBlocks; g < groups; g++) {
            long off = base + (long) (g >> 2) * BLOCK_BYTES + 16 + 32 * (g & 3);
            ShortVector p0 = (ShortVector) ByteVector.fromMemorySegment(B128, data, off, LE).convertShape(VectorOperators.B2S, S, 0);
            ShortVector p1 = (ShortVector) ByteVector.fromMemorySegment(B128, data, off + 16, LE).convertShape(VectorOperators.B2S, S, 0);
            int xo = 64 * g;
            ShortVector low = p0.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xo))
                    .add(p1.and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xo + 16)));
            ShortVector high = p0.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xo + 32))
                    .add(p1.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(S, xq, xo + 48)));
            // q <= 15, |x| <= 127, two products per lane: pairs stay below 2^15 (accumulateNarrow, written out)
            IntVector l = (IntVector) low.reinterpretShape(I, 0);
            IntVector h = (IntVector) high.reinterpretShape(I, 0);
            accLow = ((FloatVector) l.add(l.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.broadcast(F, scales[2 * g]), accLow);
            accHigh = ((FloatVector) h.add(h.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                    .convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.broadcast(F, scales[2 * g + 1]), accHigh);
        }
        // reduced from the stored lanes (see FixedOrder#sum16(float[], int))
        accLow.add(accHigh).intoArray(scales, 2 * blocks);
        return FixedOrder.sum8(scales, 2 * blocks) - mins;
    }

    @Override
    public void decodeRow(int row, DecodedRow into) {
        long base = offset(row, 0);
        into.reset(cols, true, true);
        for (int sb = 0, superBlocks = cols / 256; sb < superBlocks; sb++) {
            long off = base + (long) sb * BLOCK_BYTES;
            float d = half(data, off);
            float dmin = half(data, off + 2);
            long lo = data.get(LONG, off + 4);
            int hi = data.get(INT, off + 12);
            long sc = scales(lo, hi);
            long mn = mins(lo, hi);
            for (int s = 0; s < 8; s++) {
                into.scales[8 * sb + s] = d * (int) (sc >>> 8 * s & 0xFF);
                into.mins[8 * sb + s] = dmin * (int) (mn >>> 8 * s & 0xFF);
            }
            for (int j = 0; j < 4; j++) {
                for (int h = 0; h < 32; h += 16) {
                    ShortVector packed = shorts(off + 16 + 32 * j + h);
                    lowNibble(packed).intoArray(into.quants, 256 * sb + 64 * j + h);
                    highNibble(packed).intoArray(into.quants, 256 * sb + 64 * j + 32 + h);
                }
            }
        }
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 256, off += BLOCK_BYTES) {
            float d = half(data, off);
            float dmin = half(data, off + 2);
            long lo = data.get(LONG, off + 4);
            int hi = data.get(INT, off + 12);
            long scales = scales(lo, hi);
            long mins = mins(lo, hi);
            for (int j = 0; j < 4; j++) {
                long qs = off + 16 + 32 * j;
                float dLo = d * (int) (scales >>> 16 * j & 0xFF);
                float dHi = d * (int) (scales >>> 16 * j + 8 & 0xFF);
                float mLo = -dmin * (int) (mins >>> 16 * j & 0xFF);
                float mHi = -dmin * (int) (mins >>> 16 * j + 8 & 0xFF);
                for (int h = 0; h < 32; h += 16) {
                    ShortVector packed = shorts(qs + h);
                    store(lowNibble(packed), dLo, mLo, dst, i + 64 * j + h);
                    store(highNibble(packed), dHi, mHi, dst, i + 64 * j + 32 + h);
                }
            }
        }
    }
}
