package io.sinkserve.model;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.KvStorage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.sinkserve.cache.SameComputation.TOLERANCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CachedSequence state through the model: snapshots, forks, resets, observers, constant memory, bad input. */
class SequenceTest {
    private static final TinyModel TINY = new TinyModel("qwen2", 3);
    private static final Model MODEL = TINY.model(2);
    private static final CacheConfig CACHE = CacheConfig.streaming(4, 16).withPolicy(EvictionPolicy.BATCH).withStorage(KvStorage.F16);

    @AfterAll
    static void close() {
        MODEL.close();
    }

    private static int[] tokens(long seed, int n) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(TINY.config.vocab());
        }
        return t;
    }

    private static float[] step(CachedSequence s, int token) {
        return MODEL.decode(List.of(s), new int[] {token})[0];
    }

    @Test
    void snapshotRoundTripContinuesExactly() throws IOException {
        try (CachedSequence a = MODEL.newSequence(CACHE)) {
            MODEL.prefill(a, tokens(1, 57));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            a.writeSnapshot(out);
            try (CachedSequence b = MODEL.readSequence(new ByteArrayInputStream(out.toByteArray()))) {
                assertArrayEquals(a.recentTokens(100), b.recentTokens(100));
                int[] next = Arrays.copyOf(tokens(1, 57), 58);
                assertTrue(b.isPrefixOf(next), "the restored trail still knows every token fed");
                assertEquals(57, b.tokensSeen());
                for (int t : tokens(2, 30)) {
                    assertArrayEquals(step(a, t), step(b, t), TOLERANCE);
                }
            }
        }
    }

    @Test
    void snapshotOfAnotherModelShapeIsRefused() throws IOException {
        TinyModel other = new TinyModel("llama", 4);
        try (Model m = other.model(1); CachedSequence s = MODEL.newSequence(CacheConfig.streaming(1, 8).withStorage(KvStorage.F32))) {
            MODEL.prefill(s, tokens(3, 5));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.writeSnapshot(out);
            // Same layer/head shape: accepted. A snapshot is only as specific as the cache shape.
            m.readSequence(new ByteArrayInputStream(out.toByteArray())).close();
            byte[] bytes = out.toByteArray();
            int trail = 4 + 3 * 8 + 9 * 4;   // kept-tail length, count, two hashes, the 9 tokens a 1 + 8 cache keeps
            bytes[trail + 4 * 8 + 4] ^= 0x7f;   // the snapshot's layer count, inside the cache header
            assertThrows(IOException.class, () -> MODEL.readSequence(new ByteArrayInputStream(bytes)));
        }
    }

    @Test
    void copyIsAnIndependentFork() {
        try (CachedSequence a = MODEL.newSequence(CACHE)) {
            MODEL.prefill(a, tokens(4, 40));
            try (CachedSequence fork = a.copy(); CachedSequence twin = a.copy()) {
                for (int t : tokens(5, 25)) {
                    step(a, t);
                }
                assertEquals(65, a.tokensSeen());
                assertEquals(40, fork.tokensSeen());
                for (int t : tokens(6, 25)) {
                    assertArrayEquals(step(twin, t), step(fork, t), TOLERANCE);
                }
                assertArrayEquals(Arrays.copyOfRange(tokens(5, 25), 5, 25), a.recentTokens(25),
                        "the trail keeps the last cache-capacity (20) tokens");
                int[] forkFed = new int[66];
                System.arraycopy(tokens(4, 40), 0, forkFed, 0, 40);
                System.arraycopy(tokens(6, 25), 0, forkFed, 40, 25);
                assertTrue(fork.isPrefixOf(forkFed), "the fork's trail: the 40 tokens before the fork, then its own 25");
                assertFalse(a.isPrefixOf(forkFed), "the original went on with other tokens");
            }
        }
    }

    @Test
    void resetForgetsEverything() {
        try (CachedSequence a = MODEL.newSequence(CACHE); CachedSequence fresh = MODEL.newSequence(CACHE)) {
            MODEL.prefill(a, tokens(7, 30));
            a.reset();
            assertEquals(0, a.recentTokens(100).length);
            assertFalse(a.isPrefixOf(tokens(7, 31)));
            assertArrayEquals(MODEL.prefill(fresh, tokens(8, 9)), MODEL.prefill(a, tokens(8, 9)), TOLERANCE);
        }
    }

    @Test
    void memoryStaysConstantOverALongStream() {
        try (CachedSequence s = MODEL.newSequence(CACHE)) {
            long bytes = s.cache().bytes();
            assertEquals(MODEL.cacheBytes(CACHE), bytes);
            assertEquals(2L * 2 * 20 * 2 * 8 * 2, bytes);
            int[] stream = tokens(9, 2000);
            for (int off = 0; off < stream.length; off += 100) {
                MODEL.prefill(s, Arrays.copyOfRange(stream, off, off + 100));
                assertEquals(bytes, s.cache().bytes());
                assertTrue(s.cache().size() <= 20);
            }
            assertEquals(2000, s.tokensSeen());
        }
    }

    @Test
    void observerSeesNormalisedWeightsOfEveryHeadInEveryLayer() {
        int layers = TINY.config.layers();
        int heads = TINY.config.heads();
        int[][] calls = new int[layers][heads];
        double[][] lastSum = new double[layers][heads];
        int[][] lastCount = new int[layers][heads];
        try (CachedSequence s = MODEL.newSequence(CACHE)) {
            s.setAttentionObserver((layer, head, view, w) -> {
                double sum = 0;
                for (int i = 0; i < view.count(); i++) {
                    sum += w[i];
                }
                calls[layer][head]++;
                lastSum[layer][head] = sum;
                lastCount[layer][head] = view.count();
            });
            MODEL.prefill(s, tokens(10, 30));
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    assertEquals(30, calls[l][h]);
                    assertEquals(1.0, lastSum[l][h], 1e-5);
                    assertEquals(4 + 16 - 8 + 2, lastCount[l][h]);   // after one batch eviction of 8 at token 21
                }
            }
        }
    }

    @Test
    void badInputIsRefusedBeforeAnythingChanges() {
        try (CachedSequence s = MODEL.newSequence(CACHE); CachedSequence dense = MODEL.newSequence(CacheConfig.dense(8))) {
            assertThrows(IllegalArgumentException.class, () -> MODEL.prefill(s, new int[] {1, 2, 50}));
            assertThrows(IllegalArgumentException.class, () -> MODEL.prefill(s, new int[0]));
            assertThrows(IllegalArgumentException.class, () -> MODEL.decode(List.of(s, s), new int[] {1, 2}));
            assertEquals(0, s.tokensSeen());
            MODEL.prefill(dense, tokens(11, 6));
            IllegalStateException full = assertThrows(IllegalStateException.class, () -> MODEL.prefill(dense, tokens(12, 3)));
            assertTrue(full.getMessage().contains("dense cache holds 8 tokens"), full.getMessage());
            assertEquals(6, dense.tokensSeen());
            assertEquals(6, dense.recentTokens(100).length);
            try (CachedSequence roomy = MODEL.newSequence(CACHE)) {
                MODEL.prefill(dense, tokens(13, 2));
                assertThrows(IllegalStateException.class, () -> MODEL.decode(List.of(roomy, dense), new int[] {1, 2}));
                assertEquals(0, roomy.tokensSeen());
            }
            try (CachedSequence small = MODEL.newSequence(CacheConfig.dense(70))) {
                // Longer than one prefill chunk: refused whole, not after the first chunk went in.
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> MODEL.prefill(small, tokens(14, 71)));
                assertTrue(e.getMessage().contains("71 more do not fit"), e.getMessage());
                assertEquals(0, small.tokensSeen());
            }
        }
    }
}
