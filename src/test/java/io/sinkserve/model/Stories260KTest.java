package io.sinkserve.model;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.testing.TestFiles;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forward pass against facts measured on stories260K by an independent implementation. */
class Stories260KTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(TestFiles.stories260K(), 1);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void configComesFromTheMetadata() {
        ModelConfig c = model.config();
        assertEquals("llama", c.arch());
        assertEquals(List.of(64, 5, 8, 4, 8, 172, 512), List.of(c.dim(), c.layers(), c.heads(), c.kvHeads(), c.headDim(), c.ffnDim(), c.vocab()));
        assertEquals(10000.0, c.ropeTheta());
        assertEquals(8, c.ropeDim());
    }

    @Test
    void greedyContinuationOfOnceUponATime() {
        int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, prompt);
        try (CachedSequence seq = model.newSequence(CacheConfig.dense(512))) {
            float[] logits = model.prefill(seq, prompt);
            int[] out = new int[40];
            for (int i = 0; i < out.length; i++) {
                out[i] = argmax(logits);
                logits = model.decode(List.of(seq), new int[] {out[i]})[0];
            }
            String text = model.tokenizer().decode(out);
            assertTrue(text.startsWith(", there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball."), text);
        }
    }

    @Test
    void perplexityOfTheFirst512TokensInOneWindow() throws IOException {
        String text = Files.readString(TestFiles.data("tinystories_valid_head.txt"));
        int[] tokens = Arrays.copyOf(model.tokenizer().encode(text.substring(0, 4000), true, false), 513);
        assertEquals(1, tokens[0]);
        double[] nll = {0};
        try (CachedSequence seq = model.newSequence(CacheConfig.dense(513))) {
            model.forwardAll(seq, Arrays.copyOf(tokens, 512), (i, logits, off) -> nll[0] += crossEntropy(logits, off, 512, tokens[i + 1]));
        }
        assertEquals(3.701, Math.exp(nll[0] / 512), 0.0005);
    }

    static double crossEntropy(float[] logits, int off, int vocab, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[off + i] - max);
        }
        return Math.log(sum) + max - logits[off + target];
    }

    @Test
    void chunkedPrefillOfAPromptLongerThanTheCacheEqualsTokenByToken() throws IOException {
        String text = Files.readString(TestFiles.data("tinystories_valid_head.txt"));
        int[] tokens = Arrays.copyOf(model.tokenizer().encode(text.substring(0, 3000), true, false), 300);
        for (EvictionPolicy policy : new EvictionPolicy[] {EvictionPolicy.TOKEN, EvictionPolicy.BATCH}) {
            CacheConfig cache = CacheConfig.streaming(4, 60).withPolicy(policy);
            try (CachedSequence chunked = model.newSequence(cache); CachedSequence single = model.newSequence(cache)) {
                float[] a = model.prefill(chunked, tokens);
                float[] b = null;
                for (int t : tokens) {
                    b = model.decode(List.of(single), new int[] {t})[0];
                }
                assertArrayEquals(b, a, 1e-4f, policy.toString());
                assertEquals(300, chunked.tokensSeen());
                assertArrayEquals(Arrays.copyOfRange(tokens, 300 - 64, 300), chunked.recentTokens(64),
                        "the trail keeps the last cache-capacity tokens");
                assertTrue(chunked.isPrefixOf(Arrays.copyOf(tokens, 301)));
                assertEquals(single.cache().evictions(), chunked.cache().evictions());
            }
        }
    }

    @Test
    void batchedDecodeEqualsEachSequenceAlone() {
        int[][] prompts = {{1, 403, 407}, {1, 301, 427, 309, 426}, {1, 261}};
        CacheConfig cache = CacheConfig.streaming(2, 6);
        CachedSequence[] together = new CachedSequence[3];
        CachedSequence[] alone = new CachedSequence[3];
        int[] next = new int[3];
        for (int s = 0; s < 3; s++) {
            together[s] = model.newSequence(cache);
            alone[s] = model.newSequence(cache);
            next[s] = argmax(model.prefill(together[s], prompts[s]));
            model.prefill(alone[s], prompts[s]);
        }
        for (int step = 0; step < 12; step++) {
            float[][] batch = model.decode(List.of(together), next.clone());
            for (int s = 0; s < 3; s++) {
                float[] single = model.decode(List.of(alone[s]), new int[] {next[s]})[0];
                assertArrayEquals(single, batch[s], 1e-4f, "sequence " + s + " step " + step);
                next[s] = argmax(batch[s]);
            }
        }
        for (int s = 0; s < 3; s++) {
            together[s].close();
            alone[s].close();
        }
    }
}
