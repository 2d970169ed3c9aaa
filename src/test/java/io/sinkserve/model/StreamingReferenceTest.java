package io.sinkserve.model;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.KvStorage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.sinkserve.cache.SameComputation.TOLERANCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The real model + cache against {@link ReferenceTransformer} over streams of at least three cache capacities. */
class StreamingReferenceTest {
    private static final TinyModel LLAMA = new TinyModel("llama", 21);
    private static final TinyModel QWEN = new TinyModel("qwen2", 22);
    private static final Model LLAMA_MODEL = LLAMA.model(2);
    private static final Model QWEN_MODEL = QWEN.model(1);

    @AfterAll
    static void close() {
        LLAMA_MODEL.close();
        QWEN_MODEL.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (String arch : new String[] {"llama", "qwen2"}) {
            for (int sinks : new int[] {0, 1, 4}) {
                for (int window : new int[] {16, 31}) {
                    for (EvictionPolicy p : new EvictionPolicy[] {EvictionPolicy.TOKEN, EvictionPolicy.BATCH}) {
                        for (KvStorage s : KvStorage.values()) {
                            for (boolean chunked : new boolean[] {false, true}) {
                                list.add(Arguments.of(arch, CacheConfig.streaming(sinks, window).withPolicy(p).withStorage(s), chunked));
                            }
                        }
                    }
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1} chunked={2}")
    @MethodSource("cases")
    void agreesWithTheReference(String arch, CacheConfig cache, boolean chunked) {
        TinyModel tiny = arch.equals("llama") ? LLAMA : QWEN;
        Model model = arch.equals("llama") ? LLAMA_MODEL : QWEN_MODEL;
        ReferenceTransformer ref = new ReferenceTransformer(tiny, cache);
        Random rnd = new Random((arch + cache + chunked).hashCode());   // names, not enum identity hashes: same stream every run
        int[] tokens = new int[3 * cache.capacity() + 9];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rnd.nextInt(tiny.config.vocab());
        }
        // Relative to the largest logit: F16 storage rounds every key and value (to ~5e-4), F32 only reorders sums.
        float tolerance = cache.storage() == KvStorage.F32 ? 2e-5f : 4e-3f;
        try (CachedSequence seq = model.newSequence(cache)) {
            if (chunked) {
                // Pieces of random length, so chunk boundaries fall anywhere relative to the evictions.
                for (int off = 0; off < tokens.length; ) {
                    int n = Math.min(tokens.length - off, 1 + rnd.nextInt(3 * cache.window()));
                    int[] piece = Arrays.copyOfRange(tokens, off, off + n);
                    float[][] expected = new float[n][];
                    for (int i = 0; i < n; i++) {
                        expected[i] = ref.step(piece[i]);
                    }
                    int base = off;
                    model.forwardAll(seq, piece, (i, logits, o) ->
                            assertClose(expected[i], Arrays.copyOfRange(logits, o, o + tiny.config.vocab()), tolerance, "token " + (base + i)));
                    off += n;
                }
            } else {
                for (int i = 0; i < tokens.length; i++) {
                    float[] expected = ref.step(tokens[i]);
                    assertClose(expected, model.decode(List.of(seq), new int[] {tokens[i]})[0], tolerance, "token " + i);
                }
            }
            assertEquals(tokens.length, seq.tokensSeen());
        }
    }

    private static void assertClose(float[] expected, float[] actual, float relative, String message) {
        float scale = 1f;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        assertArrayEquals(expected, actual, relative * scale, message);
    }

    @Test
    void streamingEqualsDenseExactlyBeforeTheWindowIsFull() {
        CacheConfig streaming = CacheConfig.streaming(4, 16);
        int[] tokens = new int[streaming.capacity()];
        Random rnd = new Random(3);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rnd.nextInt(50);
        }
        for (Model model : new Model[] {LLAMA_MODEL, QWEN_MODEL}) {
            try (CachedSequence s = model.newSequence(streaming); CachedSequence d = model.newSequence(CacheConfig.dense(100));
                 CachedSequence s2 = model.newSequence(streaming); CachedSequence d2 = model.newSequence(CacheConfig.dense(100))) {
                for (int t : tokens) {
                    assertArrayEquals(model.decode(List.of(d), new int[] {t})[0], model.decode(List.of(s), new int[] {t})[0], TOLERANCE);
                }
                assertArrayEquals(model.prefill(d2, tokens), model.prefill(s2, tokens), TOLERANCE);
                assertEquals(0, s.cache().evictions());
            }
        }
    }
}
