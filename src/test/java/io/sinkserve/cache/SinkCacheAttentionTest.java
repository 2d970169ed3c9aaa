package io.sinkserve.cache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.sinkserve.cache.SameComputation.TOLERANCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cache + attention against {@link ReferenceStreamingAttention} on random query/key/value streams. */
class SinkCacheAttentionTest {
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 12;   // not a multiple of the vector length: exercises the scalar tails
    private static final double BASE = 10000;

    /** Feeds random tokens one at a time through a real cache and returns each step's attention output. */
    static final class Driver {
        final SinkCache cache;
        final Rope rope;
        final Attention attention;
        final RopeTable sinkShift;
        final Admission[] admission = {new Admission()};

        Driver(CacheConfig config, int ropeDim, boolean neox) {
            this(new SinkCache(config, 1, KV_HEADS, HEAD_DIM), Rope.of(HEAD_DIM, ropeDim, BASE, neox, null));
        }

        private Driver(SinkCache cache, Rope rope) {
            this.cache = cache;
            this.rope = rope;
            this.attention = new Attention(rope);
            this.sinkShift = new RopeTable(rope, 1);
        }

        /** The same rotary setup over another cache. */
        Driver withCache(SinkCache other) {
            return new Driver(other, rope);
        }

        float[] step(float[] q, float[] k, float[] v) {
            float[] qr = q.clone();
            float[] kr = k.clone();
            cache.admit(admission, 0, 1);
            rope.rotate(kr, 0, KV_HEADS, admission[0].position());
            rope.rotate(qr, 0, HEADS, admission[0].position());
            sinkShift.set(0, admission[0].cachePosition() - admission[0].position());
            for (int h = 0; h < KV_HEADS; h++) {
                cache.write(0, h, admission[0].slot(), kr, h * HEAD_DIM, v, h * HEAD_DIM);
            }
            float[] out = new float[HEADS * HEAD_DIM];
            int perKv = HEADS / KV_HEADS;
            for (int kv = 0; kv < KV_HEADS; kv++) {
                attention.attend(cache, 0, admission[0], kv * perKv, perKv, kv, qr, kv * perKv * HEAD_DIM, out, kv * perKv * HEAD_DIM, sinkShift, 0, null);
            }
            return out;
        }
    }

    static Stream<Arguments> configs() {
        List<Arguments> list = new ArrayList<>();
        for (int sinks : new int[] {0, 1, 4}) {
            for (int window : new int[] {16, 31}) {
                for (EvictionPolicy p : new EvictionPolicy[] {EvictionPolicy.TOKEN, EvictionPolicy.BATCH}) {
                    for (KvStorage s : KvStorage.values()) {
                        list.add(Arguments.of(CacheConfig.streaming(sinks, window).withPolicy(p).withStorage(s), (sinks + window) % 2 == 0));
                    }
                }
            }
        }
        list.add(Arguments.of(CacheConfig.streaming(2, 16).withPinnedPrefix(7), false));
        list.add(Arguments.of(CacheConfig.streaming(4, 16).withPolicy(EvictionPolicy.BATCH).withBatchSize(5), true));
        return list.stream();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void matchesTheReferenceOverLongStreams(CacheConfig config, boolean neox) {
        int ropeDim = neox ? HEAD_DIM : 8;   // also a partial rotary dimension
        Driver real = new Driver(config, ropeDim, neox);
        ReferenceStreamingAttention ref = new ReferenceStreamingAttention(config, HEADS, KV_HEADS, HEAD_DIM, ropeDim, neox, BASE);
        Random rnd = new Random(config.toString().hashCode());
        float tolerance = config.storage() == KvStorage.F32 ? 2e-5f : 3e-3f;
        int steps = 3 * config.capacity() + 11;
        for (int t = 0; t < steps; t++) {
            float[] q = gaussian(rnd, HEADS * HEAD_DIM);
            float[] k = gaussian(rnd, KV_HEADS * HEAD_DIM);
            float[] v = gaussian(rnd, KV_HEADS * HEAD_DIM);
            float[] expected = ref.step(q, k, v);
            float[] actual = real.step(q, k, v);
            assertArrayEquals(expected, actual, tolerance, "step " + t + " of " + config);
        }
        assertEquals(steps, real.cache.tokensSeen());
        assertTrue(real.cache.size() <= config.capacity());
        real.cache.close();
    }

    @Test
    void streamingEqualsDenseExactlyUntilTheWindowOverflows() {
        CacheConfig streaming = CacheConfig.streaming(4, 16);
        Driver s = new Driver(streaming, HEAD_DIM, false);
        Driver d = new Driver(CacheConfig.dense(64), HEAD_DIM, false);
        Random rnd = new Random(7);
        for (int t = 0; t < streaming.capacity(); t++) {
            float[] q = gaussian(rnd, HEADS * HEAD_DIM);
            float[] k = gaussian(rnd, KV_HEADS * HEAD_DIM);
            float[] v = gaussian(rnd, KV_HEADS * HEAD_DIM);
            assertArrayEquals(d.step(q, k, v), s.step(q, k, v), TOLERANCE, "step " + t);
        }
        assertEquals(0, s.cache.evictions());
        float[] q = gaussian(rnd, HEADS * HEAD_DIM);
        float[] k = gaussian(rnd, KV_HEADS * HEAD_DIM);
        float[] v = gaussian(rnd, KV_HEADS * HEAD_DIM);
        float[] dense = d.step(q, k, v);
        float[] evicted = s.step(q, k, v);
        assertEquals(1, s.cache.evictions());
        assertTrue(maxDiff(dense, evicted) > 1e-4, "after the first eviction the streaming cache attends over fewer tokens");
    }

    static float[] gaussian(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
