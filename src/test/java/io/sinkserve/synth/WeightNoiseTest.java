package io.sinkserve.synth;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightNoiseTest {
    @Test
    void hasTheRequestedMeanAndSpreadWithinBounds() {
        int n = 1 << 20;
        float[] v = new float[n];
        WeightNoise.fill(v, n, WeightNoise.stream(7, "blk.0.attn_q.weight", 3), 0.02f);
        double sum = 0;
        double sq = 0;
        float maxAbs = 0;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
            maxAbs = Math.max(maxAbs, Math.abs(x));
        }
        double mean = sum / n;
        double std = Math.sqrt(sq / n - mean * mean);
        assertEquals(0, mean, 0.0002);
        assertEquals(0.02, std, 0.0002);
        assertTrue(maxAbs <= 0.02 * Math.sqrt(12) + 1e-6, "Irwin-Hall of 4 is bounded by sqrt(12) sigma: " + maxAbs);
        assertTrue(maxAbs > 0.02 * 2.5, "tails exist: " + maxAbs);
    }

    @Test
    void vectorAndScalarTailsAgreeWhateverTheLength() {
        long s = WeightNoise.stream(1, "t", 0);
        float[] longRow = new float[1000];
        WeightNoise.fill(longRow, 1000, s, 1f);
        for (int n : new int[] {1, 7, 37, 64, 999}) {
            float[] shortRow = new float[n];
            WeightNoise.fill(shortRow, n, s, 1f);
            assertArrayEquals(Arrays.copyOf(longRow, n), shortRow, "n=" + n);
        }
    }

    @Test
    void rowsTensorsAndSeedsGetDifferentStreams() {
        float[] a = row(1, "x", 0);
        assertArrayEquals(a, row(1, "x", 0), "deterministic");
        assertFalse(Arrays.equals(a, row(1, "x", 1)));
        assertFalse(Arrays.equals(a, row(1, "y", 0)));
        assertFalse(Arrays.equals(a, row(2, "x", 0)));
    }

    private static float[] row(long seed, String tensor, long row) {
        float[] v = new float[64];
        WeightNoise.fill(v, 64, WeightNoise.stream(seed, tensor, row), 1f);
        return v;
    }
}
