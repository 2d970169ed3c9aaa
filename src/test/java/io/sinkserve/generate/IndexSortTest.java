package io.sinkserve.generate;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class IndexSortTest {
    @Test
    void selectsAndSortsTheLargestKeysOnRandomAndTiedData() {
        Random r = new Random(1);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(400);
            float[] key = new float[n];
            for (int i = 0; i < n; i++) {
                // few distinct values in half the trials: exercises the equal-key partition
                key[i] = trial % 2 == 0 ? r.nextFloat() : r.nextInt(4);
            }
            int count = r.nextInt(n + 1);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            IndexSort.topSorted(idx, key, 0, n, count);

            float[] expected = key.clone();
            Arrays.sort(expected);
            float[] topExpected = new float[count];
            float[] topActual = new float[count];
            for (int i = 0; i < count; i++) {
                topExpected[i] = expected[n - 1 - i];
                topActual[i] = key[idx[i]];
            }
            assertArrayEquals(topExpected, topActual, "trial " + trial);
            int[] perm = idx.clone();
            Arrays.sort(perm);
            for (int i = 0; i < n; i++) {
                perm[i] -= i;
            }
            assertArrayEquals(new int[n], perm, "idx must stay a permutation");
        }
    }
}
