package io.sinkserve.compute;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each helper against a scalar loop in double, on lengths that leave a scalar tail (37) and with offsets. */
class FloatOpsTest {
    private static final int N = 37;
    private final Random rnd = new Random(7);

    private float[] vec(int n) {
        return TestMatrices.gaussian(rnd, n, 1f);
    }

    @Test
    void dotAndAxpy() {
        float[] a = vec(N + 2);
        float[] b = vec(N + 1);
        double want = 0;
        for (int i = 0; i < N; i++) {
            want += (double) a[2 + i] * b[1 + i];
        }
        assertEquals(want, FloatOps.dot(a, 2, b, 1, N), 1e-5);

        float[] y = b.clone();
        FloatOps.axpy(0.5f, a, 2, y, 1, N);
        assertEquals(b[0], y[0]);
        for (int i = 0; i < N; i++) {
            assertEquals(b[1 + i] + 0.5f * a[2 + i], y[1 + i], 1e-6f);
        }
    }

    @Test
    void rmsnorm() {
        float[] x = vec(N + 3);
        float[] w = vec(N);
        double ss = 0;
        for (int i = 0; i < N; i++) {
            ss += (double) x[3 + i] * x[3 + i];
        }
        double inv = 1 / Math.sqrt(ss / N + 1e-5);
        float[] out = new float[N + 1];
        FloatOps.rmsnorm(out, 1, x, 3, w, N, 1e-5f);
        for (int i = 0; i < N; i++) {
            assertEquals(x[3 + i] * inv * w[i], out[1 + i], 1e-5);
        }
        FloatOps.rmsnorm(x, 3, x, 3, w, N, 1e-5f);  // in place
        assertEquals(out[1 + N - 1], x[3 + N - 1], 1e-6f);
    }

    @Test
    void softmaxIsStableAndNormalised() {
        float[] x = vec(N + 1);
        x[10] = 1000f;  // would overflow exp without the max shift
        float[] copy = x.clone();
        FloatOps.softmax(x, 1, N);
        double sum = 0;
        for (int i = 1; i <= N; i++) {
            sum += x[i];
            assertEquals(Math.exp(copy[i] - 1000.0), x[i], 1e-6);
        }
        assertEquals(1.0, sum, 1e-5);
        assertEquals(copy[0], x[0]);
    }

    @Test
    void siluMulAddScale() {
        float[] g = vec(N + 2);
        float[] u = vec(N + 2);
        float[] g0 = g.clone();
        FloatOps.siluMul(g, u, 2, N);
        assertEquals(g0[0], g[0]);
        for (int i = 2; i < N + 2; i++) {
            assertEquals(g0[i] / (1 + Math.exp(-g0[i])) * u[i], g[i], 1e-5);
        }
        float[] y = vec(N);
        float[] y0 = y.clone();
        FloatOps.add(y, 0, u, 2, N);
        FloatOps.scale(y, 0, N, 3f);
        for (int i = 0; i < N; i++) {
            assertEquals((y0[i] + u[2 + i]) * 3f, y[i], 1e-5f);
        }
    }

    @Test
    void halfConversions() {
        assertEquals(1.5f, FloatOps.f16ToF32(FloatOps.f32ToF16(1.5f)));
        assertEquals((short) 0x3C00, FloatOps.f32ToF16(1f));
        assertEquals(Float.POSITIVE_INFINITY, FloatOps.f16ToF32(FloatOps.f32ToF16(1e6f)));
        assertEquals(65504f, FloatOps.f16ToF32((short) 0x7BFF));
    }

    @Test
    void expIsAccurateAndEveryLaneGivesTheScalarBits() {
        java.util.Random r = new java.util.Random(5);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (r.nextFloat() - 0.5f) * 200f;
        }
        x[0] = Float.NEGATIVE_INFINITY;
        x[1] = Float.NaN;
        x[2] = 0f;
        x[3] = 1000f;
        x[4] = -87.3f;
        float[] lanes = new float[x.length];
        int w = VectorWidth.LANES;
        for (int i = 0; i < x.length; i += w) {
            FloatOps.exp(jdk.incubator.vector.FloatVector.fromArray(VectorWidth.FLOAT, x, i)).intoArray(lanes, i);
        }
        for (int i = 0; i < x.length; i++) {
            float scalar = FloatOps.exp(x[i]);
            assertEquals(Float.floatToRawIntBits(scalar), Float.floatToRawIntBits(lanes[i]), "exp(" + x[i] + ")");
            if (x[i] > -87f && x[i] < 88f) {
                double want = Math.exp(x[i]);
                assertEquals(want, scalar, 2 * Math.ulp((float) want), "exp(" + x[i] + ")");
            }
        }
        assertEquals(0f, FloatOps.exp(Float.NEGATIVE_INFINITY));
        assertEquals(1f, FloatOps.exp(0f));
        assertTrue(Float.isNaN(FloatOps.exp(Float.NaN)));
        assertTrue(Float.isFinite(FloatOps.exp(1000f)), "clamped below overflow");
    }

    @Test
    void aSumGivesTheSameBitsWhereverItsTailFalls() {
        // a dot of 16k + t values is the 16-lane fold plus the tail in order, at every width
        float[] a = new float[53];
        float[] b = new float[53];
        java.util.Random r = new java.util.Random(9);
        double exact = 0;
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
            exact += (double) a[i] * b[i];
        }
        float[] lanes = new float[16];
        for (int i = 0; i < 48; i++) {
            lanes[i % 16] = Math.fma(a[i], b[i], lanes[i % 16]);
        }
        float[] s8 = new float[8];
        for (int i = 0; i < 8; i++) {
            s8[i] = lanes[i] + lanes[i + 8];
        }
        float want = ((s8[0] + s8[4]) + (s8[2] + s8[6])) + ((s8[1] + s8[5]) + (s8[3] + s8[7]));
        for (int i = 48; i < 53; i++) {
            want = Math.fma(a[i], b[i], want);
        }
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(FloatOps.dot(a, 0, b, 0, 53)));
        assertEquals(exact, want, 1e-5);
    }
}
