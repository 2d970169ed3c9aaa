package io.sinkserve.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PerplexityMeterTest {
    @Test
    void uniformLogitsGiveAPerplexityOfTheVocabularySize() {
        PerplexityMeter m = new PerplexityMeter(4);
        float[] logits = new float[3 * 10];
        for (int i = 0; i < 10; i++) {
            m.add(logits, 10, 10, i);
        }
        assertEquals(10, m.tokens());
        assertEquals(10.0, m.perplexity(), 1e-9);
    }

    @Test
    void logSoftmaxMatchesTheDefinitionAndIgnoresAShift() {
        float[] logits = {1f, 2f, 3f};
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertEquals(Math.log(Math.exp(2) / z), PerplexityMeter.logSoftmax(logits, 0, 3, 1), 1e-6);
        float[] shifted = {0f, 1001f, 1002f, 1003f};
        assertEquals(Math.log(Math.exp(2) / z), PerplexityMeter.logSoftmax(shifted, 1, 3, 1), 1e-6);
    }

    @Test
    void segmentsAreCompleteBlocksOfScoredTokens() {
        PerplexityMeter m = new PerplexityMeter(2);
        m.addNll(Math.log(2));
        m.addNll(Math.log(8));   // segment 1: exp(mean) = 4
        m.addNll(Math.log(3));
        m.addNll(Math.log(3));   // segment 2: 3
        m.addNll(Math.log(100)); // partial: not reported
        List<Double> s = m.segments();
        assertEquals(2, s.size());
        assertEquals(4.0, s.get(0), 1e-9);
        assertEquals(3.0, s.get(1), 1e-9);
        assertEquals(Math.exp((Math.log(2) + Math.log(8) + 2 * Math.log(3) + Math.log(100)) / 5), m.perplexity(), 1e-9);
    }
}
