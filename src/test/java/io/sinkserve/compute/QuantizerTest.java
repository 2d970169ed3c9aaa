package io.sinkserve.compute;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantize then dequantize (through the scalar reference) and bound the error by what each encoding can
 * represent: the step between levels of a block, and the half-precision rounding of stored scales.
 */
class QuantizerTest {
    private static final int N = 256 * 8;

    private static float[] roundTrip(TensorType type, float[] x) {
        MemorySegment seg = Arena.ofAuto().allocate(type.byteSize(x.length));
        Quantizer.quantizeRow(type, x, 0, x.length, seg, 0);
        return ScalarReference.dequantize(type, seg, 0, x.length);
    }

    private static float[] data(long seed) {
        float[] x = TestMatrices.gaussian(new Random(seed), N, 1f);
        x[5] = 0f;
        x[300] = 7.5f;  // an outlier: its block's step grows, the others' must not
        return x;
    }

    private static float maxAbs(float[] x, int from, int n) {
        float m = 0f;
        for (int i = from; i < from + n; i++) {
            m = Math.max(m, Math.abs(x[i]));
        }
        return m;
    }

    private static double rms(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return Math.sqrt(s / a.length);
    }

    @Test
    void floatTypes() {
        float[] x = data(1);
        assertArrayEquals(x, roundTrip(TensorType.F32, x));
        float[] h = roundTrip(TensorType.F16, x);
        float[] b = roundTrip(TensorType.BF16, x);
        for (int i = 0; i < N; i++) {
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(x[i])), h[i]);
            // round to nearest keeps 8 significant bits: error at most half a bf16 ulp
            assertEquals(x[i], b[i], Math.abs(x[i]) * 0x1p-8f, "bf16 " + i);
        }
        assertEquals(1.0f, roundTrip(TensorType.BF16, new float[] {1.00390625f})[0]);  // tie rounds to even
        assertEquals(1.0078125f, roundTrip(TensorType.BF16, new float[] {1.005859375f})[0]);
    }

    /** Q8_0: step d = amax / 127, so error <= d / 2, plus 127 x the half rounding of d. */
    @Test
    void q8_0() {
        float[] x = data(2);
        float[] y = roundTrip(TensorType.Q8_0, x);
        for (int b = 0; b < N; b += 32) {
            float amax = maxAbs(x, b, 32);
            float bound = amax / 254f + amax * 0x1p-11f;
            for (int i = b; i < b + 32; i++) {
                assertEquals(x[i], y[i], bound * 1.001f, "Q8_0 " + i);
            }
        }
    }

    /**
     * Q4_0: d = max / -8, so the side of the extreme value rounds to within d / 2, and the other side
     * may clamp at +7 d, an error of at most one step d.
     */
    @Test
    void q4_0() {
        float[] x = data(3);
        float[] y = roundTrip(TensorType.Q4_0, x);
        for (int b = 0; b < N; b += 32) {
            float d = maxAbs(x, b, 32) / 8f;
            for (int i = b; i < b + 32; i++) {
                assertEquals(x[i], y[i], d * 1.01f, "Q4_0 " + i);
            }
        }
    }

    /**
     * K-quants: 16 (Q4_K) or 64 (Q6_K) levels per sub-block; with sub-block ranges of about 4-6 sigma
     * of Gaussian data, uniform rounding gives an RMS error near step / sqrt(12): ~0.1 sigma for Q4_K,
     * ~0.03 sigma for Q6_K. The bounds leave room for the 6/8-bit quantisation of sub-block scales.
     */
    @Test
    void kQuants() {
        float[] x = data(4);
        double q4 = rms(x, roundTrip(TensorType.Q4_K, x));
        double q6 = rms(x, roundTrip(TensorType.Q6_K, x));
        assertTrue(q4 < 0.12, "Q4_K rms error " + q4);
        assertTrue(q6 < 0.035, "Q6_K rms error " + q6);
        assertTrue(q6 < q4 / 2, "Q6_K must be much finer than Q4_K");
        // a block of zeros stays zero, and a constant block is close
        float[] zeros = new float[256];
        assertArrayEquals(zeros, roundTrip(TensorType.Q4_K, zeros));
        assertArrayEquals(zeros, roundTrip(TensorType.Q6_K, zeros));
    }

    /** Every element stays within one sub-block step of its value (the bound a clamped level can reach). */
    @Test
    void kQuantsBoundEveryElement() {
        float[] x = data(5);
        float[] y4 = roundTrip(TensorType.Q4_K, x);
        float[] y6 = roundTrip(TensorType.Q6_K, x);
        for (int s = 0; s < N; s += 32) {
            float range = 2 * maxAbs(x, s, 32);
            for (int i = s; i < s + 32; i++) {
                assertEquals(x[i], y4[i], range / 15f * 1.5f, "Q4_K " + i);
            }
        }
        for (int s = 0; s < N; s += 16) {
            float step = maxAbs(x, s, 16) / 32f;
            for (int i = s; i < s + 16; i++) {
                assertEquals(x[i], y6[i], step * 1.5f, "Q6_K " + i);
            }
        }
    }
}
