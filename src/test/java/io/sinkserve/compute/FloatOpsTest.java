package io.sinkserve.compute;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
