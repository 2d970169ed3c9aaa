package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Encodes floats into the ggml tensor types, rounding to nearest like ggml's reference quantizers. The
 * K-quants fit each sub-block's scale (and, for Q4_K, its min) and then quantise those with the
 * super-block scale, so the values are re-fitted against the scales actually stored.
 */
public final class Quantizer {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Quantizer() {
    }

    /** Writes {@code src[srcOff .. srcOff + n)} as {@code type} into {@code dst} at {@code dstOff}; n is a multiple of the block size. */
    public static void quantizeRow(TensorType type, float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        type.byteSize(n);
        switch (type) {
            case F32 -> MemorySegment.copy(src, srcOff, dst, FLOAT, dstOff, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(SHORT, dstOff + 2L * i, Float.floatToFloat16(src[srcOff + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(SHORT, dstOff + 2L * i, toBf16(src[srcOff + i]));
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < n; b += 32) {
                    q8_0(src, srcOff + b, dst, dstOff + (long) b / 32 * 34);
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < n; b += 32) {
                    q4_0(src, srcOff + b, dst, dstOff + (long) b / 32 * 18);
                }
            }
            case Q4_K -> {
                Scratch scratch = new Scratch();
                for (int b = 0; b < n; b += 256) {
                    q4_K(src, srcOff + b, dst, dstOff + (long) b / 256 * TensorType.Q4_K.bytesPerBlock(), scratch);
                }
            }
            case Q6_K -> {
                Scratch scratch = new Scratch();
                for (int b = 0; b < n; b += 256) {
                    q6_K(src, srcOff + b, dst, dstOff + (long) b / 256 * TensorType.Q6_K.bytesPerBlock(), scratch);
                }
            }
        }
    }

    /** Per-row working arrays of the K-quant encoders, reused for every super-block of the row. */
    private static final class Scratch {
        final int[] levels = new int[256];
        final float[] scales = new float[16];
        final float[] mins = new float[8];
        final int[] ls = new int[8];
        final int[] lm = new int[8];
        final byte[] packed = new byte[192];
    }

    /** float32 to bfloat16 with round-to-nearest-even; NaNs stay (quiet) NaNs. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    private static void put(MemorySegment dst, long off, int b) {
        dst.set(ValueLayout.JAVA_BYTE, off, (byte) b);
    }

    private static float roundedHalf(float f) {
        return Float.float16ToFloat(Float.floatToFloat16(f));
    }

    private static void q8_0(float[] x, int o, MemorySegment dst, long off) {
        float amax = 0f;
        for (int i = 0; i < 32; i++) {
            amax = Math.max(amax, Math.abs(x[o + i]));
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(SHORT, off, Float.floatToFloat16(d));
        for (int i = 0; i < 32; i++) {
            put(dst, off + 2 + i, Math.round(x[o + i] * id));
        }
    }

    private static void q4_0(float[] x, int o, MemorySegment dst, long off) {
        // The value of largest magnitude maps to -8, so the full range of the signed nibble is used on its side.
        float max = 0f;
        for (int i = 0; i < 32; i++) {
            if (Math.abs(x[o + i]) > Math.abs(max)) {
                max = x[o + i];
            }
        }
        float d = max / -8f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(SHORT, off, Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) (x[o + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[o + j + 16] * id + 8.5f));
            put(dst, off + 2 + j, lo | hi << 4);
        }
    }

    private static void q4_K(float[] x, int o, MemorySegment dst, long off, Scratch scratch) {
        int[] levels = scratch.levels;
        float[] scales = scratch.scales;
        float[] mins = scratch.mins;
        for (int s = 0; s < 8; s++) {
            fitScaleMin(x, o + 32 * s, levels, 32 * s, scales, mins, s);
        }
        float maxScale = 0f;
        float maxMin = 0f;
        for (int s = 0; s < 8; s++) {
            maxScale = Math.max(maxScale, scales[s]);
            maxMin = Math.max(maxMin, mins[s]);
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        int[] ls = scratch.ls;
        int[] lm = scratch.lm;
        for (int s = 0; s < 8; s++) {
            ls[s] = Math.min(63, Math.round(invScale * scales[s]));
            lm[s] = Math.min(63, Math.round(invMin * mins[s]));
        }
        float d = roundedHalf(maxScale / 63f);
        float dmin = roundedHalf(maxMin / 63f);
        dst.set(SHORT, off, Float.floatToFloat16(d));
        dst.set(SHORT, off + 2, Float.floatToFloat16(dmin));
        long sc = off + 4;
        for (int s = 0; s < 4; s++) {
            put(dst, sc + s, ls[s] | (ls[s + 4] >>> 4) << 6);
            put(dst, sc + s + 4, lm[s] | (lm[s + 4] >>> 4) << 6);
            put(dst, sc + s + 8, (ls[s + 4] & 0x0F) | (lm[s + 4] & 0x0F) << 4);
        }
        // Re-fit every value against the scales as stored (6-bit, half-precision super-block scale).
        for (int s = 0; s < 8; s++) {
            float step = d * ls[s];
            float inv = step == 0f ? 0f : 1f / step;
            float m = dmin * lm[s];
            for (int i = 0; i < 32; i++) {
                levels[32 * s + i] = Math.min(15, Math.max(0, (int) ((x[o + 32 * s + i] + m) * inv + 0.5f)));
            }
        }
        byte[] packed = scratch.packed;
        for (int j = 0; j < 4; j++) {
            for (int l = 0; l < 32; l++) {
                packed[32 * j + l] = (byte) (levels[64 * j + l] | levels[64 * j + 32 + l] << 4);
            }
        }
        MemorySegment.copy(packed, 0, dst, ValueLayout.JAVA_BYTE, off + 16, 128);
    }

    /**
     * Fits value ~ scale * q - min with q in 0..15 and min >= 0 over 32 values: start from the range, then
     * alternate rounding and a least-squares refit of scale and min, keeping the best fit.
     */
    private static void fitScaleMin(float[] x, int o, int[] q, int qOff, float[] scales, float[] mins, int s) {
        float lo = 0f;
        float hi = x[o];
        for (int i = 0; i < 32; i++) {
            lo = Math.min(lo, x[o + i]);
            hi = Math.max(hi, x[o + i]);
        }
        float scale = (hi - lo) / 15f;
        float min = -lo;
        if (scale == 0f) {
            scales[s] = 0f;
            mins[s] = min;
            return;
        }
        float bestErr = Float.POSITIVE_INFINITY;
        float bestScale = scale;
        float bestMin = min;
        for (int iter = 0; iter < 2; iter++) {
            float inv = 1f / scale;
            float err = 0f;
            float sumL = 0;
            float sumLL = 0;
            float sumX = 0;
            float sumLX = 0;
            for (int i = 0; i < 32; i++) {
                float v = x[o + i];
                // (x + min) / scale is >= -rounding error, so truncating v + 0.5 rounds to nearest
                int l = Math.min(15, Math.max(0, (int) ((v + min) * inv + 0.5f)));
                q[qOff + i] = l;
                float diff = scale * l - min - v;
                err += diff * diff;
                sumL += l;
                sumLL += l * l;
                sumX += v;
                sumLX += l * v;
            }
            if (err < bestErr) {
                bestErr = err;
                bestScale = scale;
                bestMin = min;
            }
            float det = 32 * sumLL - sumL * sumL;
            if (det <= 0) {
                break;
            }
            float newScale = (32 * sumLX - sumL * sumX) / det;
            float newMin = -(sumX - newScale * sumL) / 32;
            if (newMin < 0) {
                newMin = 0;
                newScale = sumLX / sumLL;
            }
            if (newScale <= 0) {
                break;
            }
            scale = newScale;
            min = newMin;
        }
        scales[s] = bestScale;
        mins[s] = bestMin;
    }

    private static void q6_K(float[] x, int o, MemorySegment dst, long off, Scratch scratch) {
        int[] levels = scratch.levels;
        float[] scales = scratch.scales;
        float maxScale = 0f;
        for (int s = 0; s < 16; s++) {
            float max = 0f;
            for (int i = 0; i < 16; i++) {
                if (Math.abs(x[o + 16 * s + i]) > Math.abs(max)) {
                    max = x[o + 16 * s + i];
                }
            }
            scales[s] = max / -32f;
            if (Math.abs(scales[s]) > Math.abs(maxScale)) {
                maxScale = scales[s];
            }
        }
        float iscale = maxScale != 0f ? -128f / maxScale : 0f;
        float d = roundedHalf(maxScale != 0f ? 1f / iscale : 0f);
        dst.set(SHORT, off + 208, Float.floatToFloat16(d));
        for (int s = 0; s < 16; s++) {
            int sc = clamp(Math.round(iscale * scales[s]), -128, 127);
            put(dst, off + 192 + s, sc);
            float inv = sc == 0 ? 0f : 1f / (d * sc);
            for (int i = 0; i < 16; i++) {
                levels[16 * s + i] = clamp(Math.round(x[o + 16 * s + i] * inv), -32, 31) + 32;
            }
        }
        byte[] packed = scratch.packed;
        for (int h = 0; h < 2; h++) {
            int ql = 64 * h;
            int qh = 128 + 32 * h;
            int base = 128 * h;
            for (int l = 0; l < 32; l++) {
                int q1 = levels[base + l];
                int q2 = levels[base + l + 32];
                int q3 = levels[base + l + 64];
                int q4 = levels[base + l + 96];
                packed[ql + l] = (byte) ((q1 & 0x0F) | (q3 & 0x0F) << 4);
                packed[ql + l + 32] = (byte) ((q2 & 0x0F) | (q4 & 0x0F) << 4);
                packed[qh + l] = (byte) ((q1 >>> 4) | (q2 >>> 4) << 2 | (q3 >>> 4) << 4 | (q4 >>> 4) << 6);
            }
        }
        MemorySegment.copy(packed, 0, dst, ValueLayout.JAVA_BYTE, off, 192);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
