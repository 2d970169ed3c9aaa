package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * ggml Q4_K: super-blocks of 256 values = 8 sub-blocks of 32. Layout: half d, half dmin, 12 bytes of
 * 6-bit sub-block scales and mins (see {@link #scale}), 128 bytes of nibbles. Each 64-value group j
 * reads 32 bytes: low nibbles are sub-block 2j, high nibbles sub-block 2j + 1.
 * value = d * scale[s] * q - dmin * min[s].
 */
final class Q4_KMatrix extends QuantizedMatrix {
    static final int BLOCK_BYTES = 144;

    Q4_KMatrix(MemorySegment data, int rows, int cols) {
        super(TensorType.Q4_K, data, rows, cols);
    }

    /**
     * The 6-bit scale of sub-block s (0..7) from the 12 packed bytes: sub-blocks 0..3 use the low 6 bits
     * of bytes 0..3; sub-blocks 4..7 take 4 low bits from bytes 8..11 and their 2 high bits from the top
     * of bytes 0..3.
     */
    static int scale(MemorySegment m, long scales, int s) {
        return s < 4 ? u8(m, scales + s) & 63
                : (u8(m, scales + s + 4) & 0x0F) | ((u8(m, scales + s - 4) >>> 6) << 4);
    }

    /** The 6-bit min of sub-block s, packed like {@link #scale} in bytes 4..7 and the high nibbles of 8..11. */
    static int min(MemorySegment m, long scales, int s) {
        return s < 4 ? u8(m, scales + s + 4) & 63
                : (u8(m, scales + s + 4) >>> 4) | ((u8(m, scales + s) >>> 6) << 4);
    }

    private static int u8(MemorySegment m, long off) {
        return m.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    /**
     * The scalar pass decodes each super-block's 6-bit scales and mins once, from two little-endian
     * words instead of byte by byte: block scales go to {@code scales}, and the mins, which multiply the
     * activation's block sums, are summed right there. The vector loop then takes one step per 64-value
     * group: its 32 bytes hold sub-block 2j in the low nibbles and 2j + 1 in the high ones, so each
     * byte is loaded once for both.
     */
    @Override
    float dot(int row, QuantizedVector x, float[] scales) {
        long base = offset(row, 0);
        int superBlocks = cols / 256;
        float mins = 0f;
        for (int sb = 0; sb < superBlocks; sb++) {
            long off = base + (long) sb * BLOCK_BYTES;
            float d = half(data, off);
            float dmin = half(data, off + 2);
            long lo = data.get(LONG, off + 4);
            int hi = data.get(INT, off + 12);
            for (int s = 0; s < 4; s++) {
                int b = 8 * sb + s;
                // sub-blocks s and s + 4: see scale and min for the packing
                int scale = (int) (lo >>> 8 * s) & 63;
                int min = (int) (lo >>> 8 * s + 32) & 63;
                int scaleHigh = (hi >>> 8 * s) & 0x0F | (int) (lo >>> 8 * s + 6 & 3) << 4;
                int minHigh = (hi >>> 8 * s + 4) & 0x0F | (int) (lo >>> 8 * s + 38 & 3) << 4;
                scales[b] = d * scale * x.scale[b];
                scales[b + 4] = d * scaleHigh * x.scale[b + 4];
                mins += dmin * (min * x.sum[b] + minHigh * x.sum[b + 4]);
            }
        }
        short[] xq = x.q;
        FloatVector acc = FloatVector.zero(F);
        for (int g = 0, groups = cols / 64; g < groups; g++) {
            long qs = base + (long) (g >>> 2) * BLOCK_BYTES + 16 + 32 * (g & 3);
            ShortVector p0 = shorts(qs);
            ShortVector p1 = shorts(qs + 16);
            int xo = 64 * g;
            ShortVector low = lowNibble(p0).mul(ShortVector.fromArray(S, xq, xo))
                    .add(lowNibble(p1).mul(ShortVector.fromArray(S, xq, xo + 16)));
            ShortVector high = highNibble(p0).mul(ShortVector.fromArray(S, xq, xo + 32))
                    .add(highNibble(p1).mul(ShortVector.fromArray(S, xq, xo + 48)));
            // q <= 15, |x| <= 127, two products per lane: pairs stay below 2^15
            acc = accumulateNarrow(low, scales[2 * g], acc);
            acc = accumulateNarrow(high, scales[2 * g + 1], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD) - mins;
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        long off = offset(row, col);
        for (int i = dstOff, end = dstOff + n; i < end; i += 256, off += BLOCK_BYTES) {
            float d = half(data, off);
            float dmin = half(data, off + 2);
            long scales = off + 4;
            for (int j = 0; j < 4; j++) {
                long qs = off + 16 + 32 * j;
                float dLo = d * scale(data, scales, 2 * j);
                float dHi = d * scale(data, scales, 2 * j + 1);
                float mLo = -dmin * min(data, scales, 2 * j);
                float mHi = -dmin * min(data, scales, 2 * j + 1);
                for (int h = 0; h < 32; h += 16) {
                    ShortVector packed = shorts(qs + h);
                    store(lowNibble(packed), dLo, mLo, dst, i + 64 * j + h);
                    store(highNibble(packed), dHi, mHi, dst, i + 64 * j + 32 + h);
                }
            }
        }
    }
}
