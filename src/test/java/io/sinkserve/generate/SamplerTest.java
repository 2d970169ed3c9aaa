package io.sinkserve.generate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    private static final int DRAWS = 20_000;

    /** Logits whose softmax at temperature 1 is exactly {@code probs}. */
    private static float[] logitsOf(double... probs) {
        float[] l = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            l[i] = (float) Math.log(probs[i]);
        }
        return l;
    }

    private static SamplingParams params(float temperature, int topK, float topP, float minP, long seed) {
        return SamplingParams.greedy(100).withTemperature(temperature).withTopK(topK).withTopP(topP).withMinP(minP)
                .withSeed(seed);
    }

    private static SamplingParams penalties(float repeat, int lastN, float presence, float frequency) {
        return SamplingParams.greedy(100).withRepetitionPenalty(repeat).withRepeatLastN(lastN)
                .withPresencePenalty(presence).withFrequencyPenalty(frequency);
    }

    private static double[] frequencies(Sampler s, float[] logits) {
        double[] f = new double[logits.length];
        for (int i = 0; i < DRAWS; i++) {
            f[s.sample(logits)] += 1.0 / DRAWS;
        }
        return f;
    }

    @Test
    void greedyPicksTheLargestLogitAndTheLowestIdOnTies() {
        Sampler s = new Sampler(SamplingParams.greedy(10), 5);
        assertEquals(3, s.sample(new float[] {0.1f, -2f, 1.5f, 2.5f, 2.4f}));
        assertEquals(1, s.sample(new float[] {0f, 3f, 3f, -1f, 2f}));
    }

    @Test
    void topKOfOneEqualsGreedyWhateverTheSeedAndTemperature() {
        float[] logits = {0.3f, 1.1f, 0.9f, 1.0f, -0.5f, 1.05f};
        for (long seed = 0; seed < 200; seed++) {
            Sampler s = new Sampler(params(1.5f, 1, 1f, 0f, seed), logits.length);
            assertEquals(1, s.sample(logits));
        }
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        float[] logits = logitsOf(0.1, 0.4, 0.05, 0.3, 0.15);
        double[] f = frequencies(new Sampler(params(1f, 2, 1f, 0f, 7), logits.length), logits);
        assertEquals(0.0, f[0] + f[2] + f[4]);
        // renormalised over the two survivors: 0.4/0.7 and 0.3/0.7
        assertEquals(4.0 / 7, f[1], 0.02);
        assertEquals(3.0 / 7, f[3], 0.02);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        float[] logits = logitsOf(0.05, 0.5, 0.15, 0.3);
        // 0.5 < 0.7 <= 0.5 + 0.3: tokens 1 and 3 survive
        double[] f = frequencies(new Sampler(params(1f, 0, 0.7f, 0f, 3), logits.length), logits);
        assertEquals(0.0, f[0] + f[2]);
        assertEquals(0.5 / 0.8, f[1], 0.02);
        assertEquals(0.3 / 0.8, f[3], 0.02);
    }

    @Test
    void topPOverALargeVocabularyMatchesAnExactCut() {
        // 5000 tokens with distinct probabilities: the lazily sorted blocks must give the exact nucleus
        int v = 5000;
        float[] logits = new float[v];
        for (int i = 0; i < v; i++) {
            logits[(i * 7919) % v] = (float) (-0.002 * i); // a permutation, so the order is not the ids'
        }
        double total = 0;
        for (float l : logits) {
            total += Math.exp(l);
        }
        int nucleus = 0;
        double cumulative = 0;
        while (cumulative < 0.9f * total) {
            cumulative += Math.exp(-0.002 * nucleus++);
        }
        Sampler s = new Sampler(params(1f, 0, 0.9f, 0f, 11), v);
        for (int i = 0; i < 2000; i++) {
            int t = s.sample(logits);
            assertTrue(logits[t] >= -0.002 * (nucleus - 1) - 1e-4, "token outside the nucleus: " + t);
        }
    }

    @Test
    void minPDropsTokensLessLikelyThanAFractionOfTheTop() {
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        // threshold 0.2 × 0.5 = 0.1: token 3 (0.05) goes, tokens 0..2 stay
        double[] f = frequencies(new Sampler(params(1f, 0, 1f, 0.2f, 5), logits.length), logits);
        assertEquals(0.0, f[3]);
        assertEquals(0.5 / 0.95, f[0], 0.02);
        assertEquals(0.3 / 0.95, f[1], 0.02);
        assertEquals(0.15 / 0.95, f[2], 0.02);
    }

    @Test
    void frequenciesFollowTheSoftmaxAtTheGivenTemperature() {
        float[] logits = {1.0f, 0.5f, 0.0f, -1.0f};
        for (float t : new float[] {1f, 0.5f, 2f}) {
            double[] f = frequencies(new Sampler(params(t, 0, 1f, 0f, 42), logits.length), logits);
            double z = 0;
            for (float l : logits) {
                z += Math.exp(l / t);
            }
            for (int i = 0; i < logits.length; i++) {
                assertEquals(Math.exp(logits[i] / t) / z, f[i], 0.015, "temperature " + t + ", token " + i);
            }
        }
    }

    @Test
    void sameSeedSameDrawsAndAnotherSeedDiffers() {
        float[] logits = {0.2f, 0.1f, 0.0f, 0.3f, 0.25f, 0.05f};
        int[] a = draws(new Sampler(params(1f, 0, 1f, 0f, 1234), 6), logits);
        int[] b = draws(new Sampler(params(1f, 0, 1f, 0f, 1234), 6), logits);
        int[] c = draws(new Sampler(params(1f, 0, 1f, 0f, 1235), 6), logits);
        assertArrayEquals(a, b);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(c));
    }

    private static int[] draws(Sampler s, float[] logits) {
        int[] out = new int[64];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.sample(logits);
            s.accept(out[i]);
        }
        return out;
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        Sampler s = new Sampler(penalties(1.2f, 64, 0f, 0f), 3);
        s.accept(0);
        // 2.0 / 1.2 = 1.67 < 1.9: the repeated token loses
        assertEquals(1, s.sample(new float[] {2.0f, 1.9f, 0f}));
        Sampler neg = new Sampler(penalties(2f, 64, 0f, 0f), 3);
        neg.accept(0);
        // -1.0 * 2 = -2.0 < -1.5
        assertEquals(1, neg.sample(new float[] {-1.0f, -1.5f, -3f}));
    }

    @Test
    void presencePenaltyCountsOnceAndFrequencyPenaltyPerOccurrence() {
        Sampler presence = new Sampler(penalties(1f, 64, 0.5f, 0f), 2);
        presence.acceptAll(new int[] {0, 0, 0});
        // 1.0 - 0.5 = 0.5 < 0.6 whatever the count
        assertEquals(1, presence.sample(new float[] {1.0f, 0.6f}));
        assertEquals(0, presence.sample(new float[] {1.0f, 0.4f}));

        Sampler frequency = new Sampler(penalties(1f, 64, 0f, 0.3f), 2);
        frequency.acceptAll(new int[] {0, 0, 0});
        // 1.0 - 3 × 0.3 = 0.1
        assertEquals(1, frequency.sample(new float[] {1.0f, 0.2f}));
        assertEquals(0, frequency.sample(new float[] {1.0f, 0.05f}));
    }

    @Test
    void penaltiesOnlySeeTheLastNTokens() {
        Sampler s = new Sampler(penalties(1f, 2, 1f, 0f), 3);
        s.acceptAll(new int[] {0, 1, 1});
        // token 0 fell out of the 2-token window: unpenalised 1.0 beats penalised 1.5 - 1
        assertEquals(0, s.sample(new float[] {1.0f, 1.5f, 0f}));
        s.accept(0);
        assertEquals(1, s.sample(new float[] {1.0f, 1.5f, 0f}));
    }

    @Test
    void theCallersLogitsAreNotModified() {
        float[] logits = {1f, 2f, 3f, 0.5f};
        float[] copy = logits.clone();
        Sampler s = new Sampler(SamplingParams.greedy(10).withTemperature(0.7f).withTopK(3).withTopP(0.9f).withMinP(0.05f)
                .withRepetitionPenalty(1.3f).withPresencePenalty(0.2f).withFrequencyPenalty(0.1f).withSeed(9), 4);
        s.acceptAll(new int[] {2, 2, 1});
        for (int i = 0; i < 100; i++) {
            s.sample(logits);
        }
        assertArrayEquals(copy, logits);
    }

    @Test
    void invalidParametersAreRejectedWithAMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SamplingParams.greedy(10).withTemperature(-1f));
        assertTrue(e.getMessage().contains("temperature"));
        assertThrows(IllegalArgumentException.class,
                () -> SamplingParams.greedy(10).withTemperature(1f).withTopP(0f));
        assertThrows(IllegalArgumentException.class,
                () -> SamplingParams.greedy(10).withStop(List.of("")));
        assertThrows(IllegalArgumentException.class,
                () -> new Sampler(SamplingParams.greedy(1), 4).sample(new float[3]));
    }
}
