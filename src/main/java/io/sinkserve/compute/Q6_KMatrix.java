package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml Q6_K: super-blocks of 256 values = 16 sub-blocks of 16, each with a signed 8-bit scale. Layout:
 * 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 scales, half d. Each 128-value half n uses
 * ql[64n ..], qh[32n ..]; for l in 0..31 the byte pair ql[l], ql[l + 32] and qh[l] give the four values
 * l, l + 32, l + 64, l + 96 (value = d * scale * (q - 32)).
 */
final class Q6_KMatrix extends FloatMatrix {
    static final int BLOCK_BYTES = 210;
    /** Quant bytes per vector step: 32, or 16 where the vectors are 128 bits. */
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.min(256, VectorWidth.BITS)));
    private static final VectorSpecies<Short> BYTE_PAIRS = VectorSpecies.of(short.class, BYTES.vectorShape());
    private static final int CHUNK = BYTES.length();
    /** The conversion part that holds quants 16 .. 31 of a 32-byte step. */
    private static final int SECOND = 16 / W;
    /**
     * W quant bytes as floats' bits: the 32 bytes of a step are stored to the scratch and read back W at a time,
     * each widened from the lowest part of a vector. Widening a higher part of the 32-byte vector directly
     * (convertShape with part &gt; 0) compiles to a long shuffle sequence on AVX2.
     */
    private static final VectorSpecies<Float> QUANTS = VectorSpecies.of(float.class, VectorShape.forBitSize(Math.max(64, 8 * W)));

    Q6_KMatrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q6_K, data, rows, cols);
    }

    /** The row's sub-block scales (one float per 16 values), then 16 floats for a step's quants and the lane sums. */
    @Override
    int scratchLength() {
        return Math.max(SCRATCH, cols / 16 + 16);
    }

    private float scale(long off, int s) {
        return data.get(ValueLayout.JAVA_BYTE, off + 192 + s);
    }

    /**
     * Dotted with the float activation, each value decoded exactly as {@link #dequantize} decodes it
     * ((q - 32) * (d * scale)) and summed in the logical layout of {@link FloatOps#dot} (value i to lane
     * i mod 16, in ascending order), so the result is the bits of FloatOps.dot over the dequantised row at
     * every width.
     *
     * <p>Each super-block is eight steps t of 32 values: quarter k = t &amp; 3 of half n = t / 4 takes the
     * low or high nibbles of ql[64n + 32 (k &amp; 1) ..] and bits 2k, 2k + 1 of qh[32n ..]. No vector passes
     * into or out of a helper of ours: once C2 passes its inlining node budget it stops inlining them (though
     * not the Vector API's own methods), and a helper left out of line boxes the vectors it takes or returns.
     */
    @Override
    float dot(int row, float[] x, int xOff, float[] scratch) {
        checkX(x, xOff);
        return CHUNK == 32 ? dotByHalves(offset(row, 0), x, xOff, scratch) : dotBySteps(offset(row, 0), x, xOff, scratch);
    }

    /**
     * {@link #dot} where a vector step takes 32 quant bytes (256 and 512 bits): each 128-value half n loads
     * its ql[64n ..], ql[64n + 32 ..] and qh[32n ..] once and decodes its four quarters with constant shifts.
     * The same values are summed in the same order as {@link #dotBySteps}, so the bits are the same; a shift
     * by a variable count, which the step loop needs, costs C2's code more than the rest of the step.
     */
    private float dotByHalves(long base, float[] x, int xOff, float[] scratch) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int superBlocks = cols / 256;
        for (int sb = 0; sb < superBlocks; sb++) {
            subBlockScales(base + (long) sb * BLOCK_BYTES, scratch, 16 * sb);
        }
        // each step's 32 decoded bytes are stored after the scales and read back W at a time (see QUANTS)
        int qAt = 16 * superBlocks;
        // one loop over the halves: C2 does not unroll a nested loop over a super-block's two halves and keeps
        // its accumulators in memory
        for (int half = 0, halves = 2 * superBlocks; half < halves; half++) {
            long off = base + (long) (half >> 1) * BLOCK_BYTES;
            int n = half & 1;
            ShortVector ql0 = (ShortVector) ByteVector.fromMemorySegment(BYTES, data, off + 64 * n, LE).reinterpretShape(BYTE_PAIRS, 0);
            ShortVector ql1 = (ShortVector) ByteVector.fromMemorySegment(BYTES, data, off + 64 * n + 32, LE).reinterpretShape(BYTE_PAIRS, 0);
            ShortVector qh = (ShortVector) ByteVector.fromMemorySegment(BYTES, data, off + 128 + 32 * n, LE).reinterpretShape(BYTE_PAIRS, 0);
            int xi = xOff + 128 * half;
            int si = 8 * half;
            // quarter k: low (k < 2) or high nibbles of ql[32 (k & 1) ..], bits 2k, 2k + 1 of qh moved to bits 4, 5
            ql0.and((short) 0x0F0F).or(qh.and((short) 0x0303).lanewise(VectorOperators.LSHL, 4))
                    .reinterpretAsBytes().sub((byte) 32).reinterpretAsFloats().intoArray(scratch, qAt);
            acc0 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + 0 * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 0]).fma(FloatVector.fromArray(F, x, xi + 0), acc0);
            if (W < LOGICAL) {
                acc1 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + 1 * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 0]).fma(FloatVector.fromArray(F, x, xi + 0 + W), acc1);
            }
            acc0 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + SECOND * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 1]).fma(FloatVector.fromArray(F, x, xi + 16), acc0);
            if (W < LOGICAL) {
                acc1 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + (SECOND + 1) * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 1]).fma(FloatVector.fromArray(F, x, xi + 16 + W), acc1);
            }
            ql1.and((short) 0x0F0F).or(qh.lanewise(VectorOperators.LSHL, 2).and((short) 0x3030))
                    .reinterpretAsBytes().sub((byte) 32).reinterpretAsFloats().intoArray(scratch, qAt);
            acc0 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + 0 * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 2]).fma(FloatVector.fromArray(F, x, xi + 32), acc0);
            if (W < LOGICAL) {
                acc1 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + 1 * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 2]).fma(FloatVector.fromArray(F, x, xi + 32 + W), acc1);
            }
            acc0 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + SECOND * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 3]).fma(FloatVector.fromArray(F, x, xi + 48), acc0);
            if (W < LOGICAL) {
                acc1 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + (SECOND + 1) * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 3]).fma(FloatVector.fromArray(F, x, xi + 48 + W), acc1);
            }
            ql0.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F0F).or(qh.and((short) 0x3030))
                    .reinterpretAsBytes().sub((byte) 32).reinterpretAsFloats().intoArray(scratch, qAt);
            acc0 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + 0 * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 4]).fma(FloatVector.fromArray(F, x, xi + 64), acc0);
            if (W < LOGICAL) {
                acc1 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + 1 * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 4]).fma(FloatVector.fromArray(F, x, xi + 64 + W), acc1);
            }
            acc0 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + SECOND * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 5]).fma(FloatVector.fromArray(F, x, xi + 80), acc0);
            if (W < LOGICAL) {
                acc1 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + (SECOND + 1) * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 5]).fma(FloatVector.fromArray(F, x, xi + 80 + W), acc1);
            }
            ql1.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F0F).or(qh.lanewise(VectorOperators.LSHR, 2).and((short) 0x3030))
                    .reinterpretAsBytes().sub((byte) 32).reinterpretAsFloats().intoArray(scratch, qAt);
            acc0 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + 0 * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 6]).fma(FloatVector.fromArray(F, x, xi + 96), acc0);
            if (W < LOGICAL) {
                acc1 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + 1 * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 6]).fma(FloatVector.fromArray(F, x, xi + 96 + W), acc1);
            }
            acc0 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + SECOND * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 7]).fma(FloatVector.fromArray(F, x, xi + 112), acc0);
            if (W < LOGICAL) {
                acc1 = ((FloatVector) FloatVector.fromArray(QUANTS, scratch, qAt + (SECOND + 1) * W / 4).reinterpretAsBytes().convertShape(VectorOperators.B2F, F, 0)).mul(scratch[si + 7]).fma(FloatVector.fromArray(F, x, xi + 112 + W), acc1);
            }
        }
        // the 16 logical lanes: acc0's (and at 256 bits acc1's)
        acc0.intoArray(scratch, qAt);
        if (W < LOGICAL) {
            acc1.intoArray(scratch, qAt + W);
        }
        return FixedOrder.sum16(scratch, qAt);
    }

    /**
     * {@link #dot} at 128 bits (four float lanes, 16 quant bytes per vector step): each of the eight steps of
     * a super-block is two vector steps of 16 values, one per sub-block.
     */
    private float dotBySteps(long base, float[] x, int xOff, float[] scratch) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int sb = 0, superBlocks = cols / 256; sb < superBlocks; sb++) {
            long off = base + (long) sb * BLOCK_BYTES;
            subBlockScales(off, scratch, 0);
            for (int t = 0; t < 8; t++) {
                long ql = off + 64 * (t >>> 2) + 32 * (t & 1);
                long qh = off + 128 + 32 * (t >>> 2);
                int nibbleShift = 4 * (t >>> 1 & 1);
                int highShift = 2 * (t & 3);
                for (int h = 0; h < 32; h += 16) {
                    ShortVector low = (ShortVector) ByteVector.fromMemorySegment(BYTES, data, ql + h, LE).reinterpretShape(BYTE_PAIRS, 0);
                    ShortVector high = (ShortVector) ByteVector.fromMemorySegment(BYTES, data, qh + h, LE).reinterpretShape(BYTE_PAIRS, 0);
                    // byte-wise in 16-bit lanes: the masks drop the bits a shift moves across the byte boundary
                    ByteVector q = low.lanewise(VectorOperators.LSHR, nibbleShift).and((short) 0x0F0F)
                            .or(high.lanewise(VectorOperators.LSHR, highShift).and((short) 0x0303).lanewise(VectorOperators.LSHL, 4))
                            .reinterpretAsBytes().sub((byte) 32);
                    int i = 32 * t + h;
                    int xi = xOff + 256 * sb + i;
                    FloatVector ds = FloatVector.broadcast(F, scratch[i / 16]);
                    a0 = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(ds).fma(FloatVector.fromArray(F, x, xi), a0);
                    a1 = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1)).mul(ds).fma(FloatVector.fromArray(F, x, xi + 4), a1);
                    a2 = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 2)).mul(ds).fma(FloatVector.fromArray(F, x, xi + 8), a2);
                    a3 = ((FloatVector) q.convertShape(VectorOperators.B2F, F, 3)).mul(ds).fma(FloatVector.fromArray(F, x, xi + 12), a3);
                }
            }
        }
        return FixedOrder.sum16(a0, a1, a2, a3);
    }

    /** scratch[at .. at + 16) = d * scale of the super-block at {@code off}. */
    private void subBlockScales(long off, float[] scratch, int at) {
        float d = Float.float16ToFloat(data.get(SHORT, off + 208));
        ByteVector scales = ByteVector.fromMemorySegment(B128, data, off + 192, LE);
        for (int p = 0; p < LOGICAL / W; p++) {
            ((FloatVector) scales.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(scratch, at + p * W);
        }
    }

    /** (low bits from ql >> nibbleShift) | (2 high bits from qh >> highShift) << 4, minus 32. */
    private static ShortVector value(ShortVector ql, ShortVector qh, int nibbleShift, int highShift) {
        ShortVector lo = ql.lanewise(VectorOperators.LSHR, nibbleShift).and((short) 0x0F);
        ShortVector hi = qh.lanewise(VectorOperators.LSHR, highShift).and((short) 3).lanewise(VectorOperators.LSHL, 4);
        return lo.or(hi).sub((short) 32);
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 256, off += BLOCK_BYTES) {
            float d = half(data, off + 208);
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 4; k++) {
                    long ql = off + 64 * h + 32 * (k & 1);
                    long qh = off + 128 + 32 * h;
                    for (int l = 0; l < 32; l += 16) {
                        store(value(shorts(ql + l), shorts(qh + l), (k >>> 1) * 4, 2 * k),
                                d * scale(off, 8 * h + 2 * k + l / 16), 0f, dst, i + 128 * h + 32 * k + l);
                    }
                }
            }
        }
    }
}
