package io.sinkserve.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

class FixedOrderSoftmaxTest {
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
            FixedOrderSoftmax.softmax(x, n);
            for (int i = 0; i < n; i++) {
                assertEquals(want[i] / sum, x[i], 1e-6, "n " + n + " entry " + i);
            }
            for (int i = n; i < x.length; i++) {
                assertEquals(0f, x[i], "padding " + i + " of n " + n);
            }
        }
    }
}
