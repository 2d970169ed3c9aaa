package io.sinkserve.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import jdk.incubator.vector.FloatVector;

import org.junit.jupiter.api.Test;

class FixedOrderSoftmaxTest {
    private static final int L = AttentionWidth.LANES;

    @Test
    void expIsWithinTwoUlpsOfMathExpAndZeroBelowTheNormalRange() {
        float[] x = new float[L];
        float[] e = new float[L];
        for (float v = -87f; v <= 88f; v += 0.0137f) {
            for (int i = 0; i < L; i++) {
                x[i] = v + i * 1e-3f;
            }
            FixedOrderSoftmax.exp(FloatVector.fromArray(AttentionWidth.FLOAT, x, 0)).intoArray(e, 0);
            for (int i = 0; i < L; i++) {
                float want = (float) Math.exp(x[i]);
                assertTrue(Math.abs(e[i] - want) <= 2 * Math.ulp(want), "exp(" + x[i] + ") = " + e[i] + ", want " + want);
            }
        }
        float[] low = {Float.NEGATIVE_INFINITY, -1000f, -88f, -87.5f};
        for (float v : low) {
            FixedOrderSoftmax.exp(FloatVector.broadcast(AttentionWidth.FLOAT, v)).intoArray(e, 0);
            assertEquals(0f, e[0], "exp(" + v + ")");
        }
    }

    @Test
    void softmaxMatchesDoublePrecisionAndPadsWithZeros() {
        Random rnd = new Random(3);
        for (int n : new int[] {1, 5, 16, 17, 100}) {
            float[] x = new float[FixedOrderSoftmax.padded(n)];
            double[] want = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                x[i] = (float) (rnd.nextGaussian() * 10);
                max = Math.max(max, x[i]);
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                want[i] = Math.exp(x[i] - max);
                sum += want[i];
            }
            FixedOrderSoftmax.softmax(x, n, new float[16]);
            for (int i = 0; i < n; i++) {
                assertEquals(want[i] / sum, x[i], 1e-6, "n " + n + " entry " + i);
            }
            for (int i = n; i < x.length; i++) {
                assertEquals(0f, x[i], "padding " + i + " of n " + n);
            }
        }
    }
}
