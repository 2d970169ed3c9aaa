package io.sinkserve.scheduler;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.generate.FinishReason;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.model.Model;
import io.sinkserve.model.ModelEngine;
import io.sinkserve.model.Sequence;
import io.sinkserve.testing.TestFiles;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's path: one generation driven on the calling thread through the scheduler's own steps. */
class RunAloneTest {
    private static final String PROMPT = "Once upon a time";
    private static final String GREEDY = ", there was a little girl named Lily. She loved to play outside in the park."
            + " One day, she saw a big, red ball.";
    private static ModelEngine engine;

    @BeforeAll
    static void load() {
        Model model = Model.load(TestFiles.stories260K(), 1);
        engine = new ModelEngine(model, "stories260K", model.chatTemplate());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Runs the prompt alone with a small prefill chunk, so the 5-token prompt takes two passes. */
    private static CollectingListener run(SamplingParams p) {
        CollectingListener l = new CollectingListener();
        try (Sequence seq = engine.newSequence(CacheConfig.streaming(4, 508))) {
            Scheduler.runAlone(engine, 3, new Generation(seq, engine.encode(PROMPT), p, l));
        }
        return l;
    }

    private static SamplingParams sampled(long seed, int maxTokens) {
        return SamplingParams.defaults(maxTokens, seed).withTemperature(1.0f);
    }

    @Test
    void greedyContinuationMatchesTheReferenceAndStreamsThePiecesOfIt() throws Exception {
        CollectingListener l = run(SamplingParams.greedy(60));
        GenerationResult r = l.await();
        assertTrue(l.text.toString().startsWith(GREEDY), l.text.toString());
        assertTrue(l.pieces > 10, "streamed piece by piece: " + l.pieces);
        assertEquals(5, r.prefilledTokens());
        assertEquals(60, r.generatedTokens());
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    @Test
    void sameSeedGivesTheSameTextAndOtherSeedsDiffer() {
        String a = run(sampled(7, 60)).text.toString();
        assertEquals(a, run(sampled(7, 60)).text.toString());
        long differing = LongStream.range(8, 12).filter(seed -> !run(sampled(seed, 60)).text.toString().equals(a)).count();
        assertTrue(differing > 0, "some other seed must give another text");
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() throws Exception {
        CollectingListener l = run(SamplingParams.greedy(100).withStop(List.of("Lily.")));
        GenerationResult r = l.await();
        assertEquals(", there was a little girl named ", l.text.toString());
        assertEquals(FinishReason.STOP, r.finishReason());
        assertNotEquals(100, r.generatedTokens());
    }
}
