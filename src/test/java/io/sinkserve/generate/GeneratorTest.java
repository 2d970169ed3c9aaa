package io.sinkserve.generate;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.model.Model;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {
    private static final String PROMPT = "Once upon a time";
    private static final String GREEDY = ", there was a little girl named Lily. She loved to play outside in the park."
            + " One day, she saw a big, red ball.";
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(TestFiles.stories260K(), 1);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationResult run(SamplingParams p, List<String> pieces) {
        int[] prompt = model.tokenizer().encode(PROMPT, true, false);
        return new Generator().generate(model, model.newSequence(CacheConfig.streaming(4, 508)), prompt, p, pieces::add);
    }

    private static SamplingParams sampled(long seed, int maxTokens, List<String> stop) {
        return SamplingParams.defaults(maxTokens, seed).withTemperature(1.0f).withStop(stop);
    }

    @Test
    void greedyContinuationMatchesTheReferenceAndStreamsThePiecesOfIt() {
        List<String> pieces = new ArrayList<>();
        GenerationResult r = run(SamplingParams.greedy(60), pieces);
        assertTrue(r.text().startsWith(GREEDY), r.text());
        assertEquals(r.text(), String.join("", pieces));
        assertTrue(pieces.size() > 10, "streamed piece by piece");
        assertEquals(5, r.promptTokens());
        assertEquals(60, r.generatedTokens());
        assertEquals(FinishReason.LENGTH, r.finishReason());
    }

    @Test
    void sameSeedGivesTheSameTextAndOtherSeedsDiffer() {
        String a = run(sampled(7, 60, List.of()), new ArrayList<>()).text();
        String b = run(sampled(7, 60, List.of()), new ArrayList<>()).text();
        assertEquals(a, b);
        long differing = java.util.stream.LongStream.range(8, 12)
                .filter(seed -> !run(sampled(seed, 60, List.of()), new ArrayList<>()).text().equals(a)).count();
        assertTrue(differing > 0, "some other seed must give another text");
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() {
        List<String> pieces = new ArrayList<>();
        GenerationResult r = run(SamplingParams.greedy(100).withStop(List.of("Lily.")), pieces);
        assertEquals(", there was a little girl named ", r.text());
        assertEquals(r.text(), String.join("", pieces));
        assertEquals(FinishReason.STOP, r.finishReason());
        assertNotEquals(100, r.generatedTokens());
    }
}
