package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain scalar decoders written straight from ggml's block definitions and dequantize_row_* loops,
 * one element at a time: the yardstick the vectorised kernels are checked against.
 */
final class ScalarReference {
    private ScalarReference() {
    }

    static float[] dequantize(TensorType type, MemorySegment m, long off, int n) {
        float[] y = new float[n];
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    y[i] = m.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), off + 4L * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    y[i] = Float.float16ToFloat(u16(m, off + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    y[i] = Float.intBitsToFloat((u16(m, off + 2L * i) & 0xFFFF) << 16);
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < n / 32; b++) {
                    long p = off + 34L * b;
                    float d = half(m, p);
                    for (int j = 0; j < 32; j++) {
                        y[32 * b + j] = d * m.get(ValueLayout.JAVA_BYTE, p + 2 + j);
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < n / 32; b++) {
                    long p = off + 18L * b;
                    float d = half(m, p);
                    for (int j = 0; j < 16; j++) {
                        int q = u8(m, p + 2 + j);
                        y[32 * b + j] = ((q & 0x0F) - 8) * d;
                        y[32 * b + j + 16] = ((q >> 4) - 8) * d;
                    }
                }
            }
            case Q4_K -> {
                for (int b = 0; b < n / 256; b++) {
                    long p = off + 144L * b;
                    float d = half(m, p);
                    float dmin = half(m, p + 2);
                    long scales = p + 4;
                    long q = p + 16;
                    int yi = 256 * b;
                    int is = 0;
                    for (int j = 0; j < 256; j += 64) {
                        int[] sm = scaleMinK4(is, m, scales);
                        float d1 = d * sm[0];
                        float m1 = dmin * sm[1];
                        sm = scaleMinK4(is + 1, m, scales);
                        float d2 = d * sm[0];
                        float m2 = dmin * sm[1];
                        for (int l = 0; l < 32; l++) {
                            y[yi++] = d1 * (u8(m, q + l) & 0x0F) - m1;
                        }
                        for (int l = 0; l < 32; l++) {
                            y[yi++] = d2 * (u8(m, q + l) >> 4) - m2;
                        }
                        q += 32;
                        is += 2;
                    }
                }
            }
            case Q6_K -> {
                for (int b = 0; b < n / 256; b++) {
                    long p = off + 210L * b;
                    float d = half(m, p + 208);
                    long ql = p;
                    long qh = p + 128;
                    long sc = p + 192;
                    int yi = 256 * b;
                    for (int h = 0; h < 256; h += 128) {
                        for (int l = 0; l < 32; l++) {
                            int is = l / 16;
                            int q1 = ((u8(m, ql + l) & 0xF) | ((u8(m, qh + l) & 3) << 4)) - 32;
                            int q2 = ((u8(m, ql + l + 32) & 0xF) | (((u8(m, qh + l) >> 2) & 3) << 4)) - 32;
                            int q3 = ((u8(m, ql + l) >> 4) | (((u8(m, qh + l) >> 4) & 3) << 4)) - 32;
                            int q4 = ((u8(m, ql + l + 32) >> 4) | (((u8(m, qh + l) >> 6) & 3) << 4)) - 32;
                            y[yi + l] = d * s8(m, sc + is) * q1;
                            y[yi + l + 32] = d * s8(m, sc + is + 2) * q2;
                            y[yi + l + 64] = d * s8(m, sc + is + 4) * q3;
                            y[yi + l + 96] = d * s8(m, sc + is + 6) * q4;
                        }
                        yi += 128;
                        ql += 64;
                        qh += 32;
                        sc += 8;
                    }
                }
            }
        }
        return y;
    }

    /** ggml's get_scale_min_k4: {scale, min} of sub-block j from the 12 packed bytes. */
    static int[] scaleMinK4(int j, MemorySegment m, long q) {
        if (j < 4) {
            return new int[] {u8(m, q + j) & 63, u8(m, q + j + 4) & 63};
        }
        return new int[] {
                (u8(m, q + j + 4) & 0xF) | ((u8(m, q + j - 4) >> 6) << 4),
                (u8(m, q + j + 4) >> 4) | ((u8(m, q + j) >> 6) << 4)};
    }

    /** Σ w[i] x[i] in double. */
    static double dot(float[] w, float[] x, int xOff) {
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += (double) w[i] * x[xOff + i];
        }
        return s;
    }

    /** Σ |w[i] x[i]|: the scale of float rounding error in a dot product. */
    static double absDot(float[] w, float[] x, int xOff) {
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += Math.abs((double) w[i] * x[xOff + i]);
        }
        return s;
    }

    /**
     * Worst-case effect of quantising x to 8 bits per 32-value block (step max|x_block| / 127, so every
     * value moves by at most half a step): Σ_blocks max|x_block| / 254 * Σ_block |w|, with 1% slack for
     * the float rounding of the step itself.
     */
    static double activationError(float[] w, float[] x, int xOff) {
        double bound = 0;
        for (int b = 0; b < w.length; b += 32) {
            double amax = 0;
            double wsum = 0;
            for (int i = b; i < b + 32; i++) {
                amax = Math.max(amax, Math.abs(x[xOff + i]));
                wsum += Math.abs(w[i]);
            }
            bound += amax / 254 * wsum;
        }
        return bound * 1.01;
    }

    private static short u16(MemorySegment m, long off) {
        return m.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), off);
    }

    private static float half(MemorySegment m, long off) {
        return Float.float16ToFloat(u16(m, off));
    }

    private static int u8(MemorySegment m, long off) {
        return m.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    private static int s8(MemorySegment m, long off) {
        return m.get(ValueLayout.JAVA_BYTE, off);
    }
}
