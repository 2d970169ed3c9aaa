package io.sinkserve.eval;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.model.Model;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PerplexityEvalTest {
    private static Model model;
    private static int[] stream;

    @BeforeAll
    static void load() throws IOException {
        model = Model.load(TestFiles.stories260K(), 1);
        // a prefix is plenty for these tests and keeps tokenization quick
        String text = Files.readString(TestFiles.data("tinystories_valid_head.txt")).substring(0, 20_000);
        stream = model.tokenizer().encode(text, true, false);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static PerplexityMeter cached(int scored, CacheConfig cache, int chunk) {
        PerplexityMeter m = new PerplexityMeter(256);
        StreamPerplexity.cached(model, stream, scored, cache, chunk, m);
        return m;
    }

    @Test
    void bosPlusTheFirst512TokensInOneWindowMatchTheIndependentMeasurement() {
        PerplexityMeter m = cached(512, CacheConfig.dense(512), 512);
        assertEquals(512, m.tokens());
        assertEquals(3.701, m.perplexity(), 0.0005);
    }

    @Test
    void streamingEqualsDenseUntilTheWindowFillsThenDiffers() {
        double dense = cached(256, CacheConfig.dense(256), 100).perplexity();
        double streaming = cached(256, CacheConfig.streaming(4, 252), 100).perplexity();
        assertEquals(dense, streaming, 1e-9 * dense);
        double denseLong = cached(600, CacheConfig.dense(600), 100).perplexity();
        double streamingLong = cached(600, CacheConfig.streaming(4, 252), 100).perplexity();
        assertNotEquals(denseLong, streamingLong);
    }

    @Test
    void chunkSizeDoesNotChangeTheResultAcrossEvictions() {
        for (EvictionPolicy policy : EvictionPolicy.values()) {
            if (policy == EvictionPolicy.NONE) {
                continue;
            }
            CacheConfig c = CacheConfig.streaming(4, 60).withPolicy(policy);
            double tokenByToken = cached(300, c, 1).perplexity();
            assertEquals(tokenByToken, cached(300, c, 77).perplexity(), 1e-5 * tokenByToken, policy.name());
        }
    }

    @Test
    void recomputeEqualsDenseWhileTheStreamFitsItsWindow() {
        PerplexityMeter recompute = new PerplexityMeter(256);
        StreamPerplexity.recompute(model, stream, 64, 64, recompute);
        assertEquals(cached(64, CacheConfig.dense(64), 64).perplexity(), recompute.perplexity(), 1e-5);
    }

    @Test
    void recomputeScoresEachTokenFromTheLastWindowTokensOnly() {
        int window = 16;
        int target = 40;
        PerplexityMeter expected = new PerplexityMeter(1);
        float[] logits = model.prefill(model.newSequence(CacheConfig.dense(window)),
                Arrays.copyOfRange(stream, target - window, target));
        expected.add(logits, 0, model.config().vocab(), stream[target]);

        PerplexityMeter all = new PerplexityMeter(1);
        StreamPerplexity.recompute(model, stream, target, window, all);
        assertEquals(expected.perplexity(), all.segments().get(target - 1), 1e-9);
    }

    @Test
    void chunksScoreTheSecondHalfOfEachBosStartedChunkLikeLlamaCpp() {
        int ctx = 64;
        PerplexityMeter meter = new PerplexityMeter(ChunkedPerplexity.scoredPerChunk(ctx));
        ChunkedPerplexity.run(model, stream, ctx, 3, KvStorage.F32, meter);
        assertEquals(3L * (ctx - ctx / 2 - 1), meter.tokens());
        assertEquals(3, meter.segments().size());

        // chunk 1 recomputed token by token through prefill: BOS replaces its first token
        int start = ctx;
        int[] chunk = Arrays.copyOfRange(stream, start, start + ctx);
        chunk[0] = model.tokenizer().bos();
        PerplexityMeter expected = new PerplexityMeter(1000);
        for (int j = ctx / 2; j < ctx - 1; j++) {
            float[] logits = model.prefill(model.newSequence(CacheConfig.dense(ctx)), Arrays.copyOf(chunk, j + 1));
            expected.add(logits, 0, model.config().vocab(), stream[start + j + 1]);
        }
        assertEquals(expected.perplexity(), meter.segments().get(1), 1e-4);
    }

    @Test
    void chunksNeedTwoContextsOfText() {
        int[] tiny = Arrays.copyOf(stream, 100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChunkedPerplexity.run(model, tiny, 64, -1, KvStorage.F32, new PerplexityMeter(31)));
        assertEquals(true, e.getMessage().contains("at least 128"));
    }
}
