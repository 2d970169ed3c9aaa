package io.sinkserve.generate;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LogitBiasAndLogprobsTest {
    private static final float[] LOGITS = {1f, 3f, 2f, 0.5f, -1f};

    @Test
    void biasIsAddedBeforeSamplingAndTheLogitsStayUntouched() {
        float[] logits = LOGITS.clone();
        Sampler plain = new Sampler(SamplingParams.greedy(4), 5);
        assertEquals(1, plain.sample(logits));
        Sampler banned = new Sampler(SamplingParams.greedy(4), 5, LogitBias.of(Map.of(1, -100f), 5), null);
        assertEquals(2, banned.sample(logits));
        Sampler forced = new Sampler(SamplingParams.greedy(4), 5, LogitBias.of(Map.of(4, 5f), 5), null);
        assertEquals(4, forced.sample(logits));
        assertArrayEquals(LOGITS, logits);
    }

    @Test
    void biasOutsideTheRangeOrVocabularyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LogitBias.of(Map.of(5, 1f), 5));
        assertThrows(IllegalArgumentException.class, () -> LogitBias.of(Map.of(-1, 1f), 5));
        assertThrows(IllegalArgumentException.class, () -> LogitBias.of(Map.of(0, 100.5f), 5));
        assertThrows(IllegalArgumentException.class, () -> LogitBias.of(Map.of(0, Float.NaN), 5));
    }

    @Test
    void aMaskForbidsTokensEvenWhenSampling() {
        TokenMask onlyEven = new TokenMask() {
            @Override
            public void mask(float[] logits) {
                for (int i = 1; i < logits.length; i += 2) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }

            @Override
            public void accept(int token) {
            }
        };
        Sampler greedy = new Sampler(SamplingParams.greedy(4), 5, LogitBias.NONE, onlyEven);
        assertEquals(2, greedy.sample(LOGITS));
        Sampler hot = new Sampler(SamplingParams.greedy(4).withTemperature(2f).withSeed(42), 5, LogitBias.NONE, onlyEven);
        for (int i = 0; i < 200; i++) {
            assertEquals(0, hot.sample(LOGITS) % 2);
        }
    }

    @Test
    void logprobsAreTheLogSoftmaxWithTheTopSorted() {
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l);
        }
        TokenLogprob lp = new Logprobs(5, 3).of(LOGITS, 3);
        assertEquals(3, lp.token());
        assertEquals(0.5 - Math.log(z), lp.logprob(), 1e-6);
        assertEquals(3, lp.top().size());
        int[] order = {1, 2, 0};
        for (int i = 0; i < 3; i++) {
            assertEquals(order[i], lp.top().get(i).token());
            assertEquals(LOGITS[order[i]] - Math.log(z), lp.top().get(i).logprob(), 1e-6);
        }
        assertEquals(0, new Logprobs(5, 0).of(LOGITS, 1).top().size());
        assertNotEquals(lp.logprob(), new Logprobs(5, 0).of(LOGITS, 1).logprob());
        assertThrows(IllegalArgumentException.class, () -> new Logprobs(5, 21));
    }
}
