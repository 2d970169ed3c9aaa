package io.sinkserve.cache;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.sinkserve.cache.SinkCacheAttentionTest.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * In-place attention against {@link ReferenceStreamingAttention} at head dims that are and are not whole
 * logical vectors, windows shorter and longer than a tile (so runs split into tiles and the ring wraps
 * mid-tile), GQA groups of 1..4 heads, both storages.
 */
class AttentionTest {
    private static final double BASE = 10000;

    static Stream<Arguments> shapes() {
        List<Arguments> list = new ArrayList<>();
        for (KvStorage storage : KvStorage.values()) {
            list.add(Arguments.of(9, 8, 4, 3, 4, 1, storage));      // odd head dim, partial rotary, tiny window
            list.add(Arguments.of(64, 64, 4, 131, 4, 2, storage));  // the common head dim, window over two tiles
            list.add(Arguments.of(80, 80, 0, 70, 2, 2, storage));   // no sinks, wraps inside the second tile
            list.add(Arguments.of(100, 64, 1, 65, 3, 1, storage));  // padded head dim, tile + 1
            list.add(Arguments.of(16, 16, 4, 64, 8, 2, storage));   // exactly one tile, four heads per KV head
        }
        return list.stream();
    }

    @ParameterizedTest(name = "headDim {0} rope {1} sinks {2} window {3} heads {4}/{5} {6}")
    @MethodSource("shapes")
    void matchesTheReference(int headDim, int ropeDim, int sinks, int window, int heads, int kvHeads, KvStorage storage) {
        CacheConfig config = CacheConfig.streaming(sinks, window).withStorage(storage);
        Rope rope = Rope.of(headDim, ropeDim, BASE, false, null);
        SinkCache cache = new SinkCache(config, 1, kvHeads, headDim);
        Attention attention = new Attention(rope);
        RopeTable sinkShift = new RopeTable(rope, 1);
        Admission[] admission = {new Admission()};
        ReferenceStreamingAttention ref = new ReferenceStreamingAttention(config, heads, kvHeads, headDim, ropeDim, false, BASE);
        Random rnd = new Random(headDim * 31L + window);
        float tolerance = storage == KvStorage.F32 ? 2e-5f : 3e-3f;
        int perKv = heads / kvHeads;
        for (int t = 0; t < 2 * config.capacity() + 5; t++) {
            float[] q = gaussian(rnd, heads * headDim);
            float[] k = gaussian(rnd, kvHeads * headDim);
            float[] v = gaussian(rnd, kvHeads * headDim);
            float[] expected = ref.step(q, k, v);
            cache.admit(admission, 0, 1);
            rope.rotate(q, 0, heads, admission[0].position());
            rope.rotate(k, 0, kvHeads, admission[0].position());
            sinkShift.set(0, admission[0].cachePosition() - admission[0].position());
            float[] out = new float[heads * headDim];
            for (int kv = 0; kv < kvHeads; kv++) {
                cache.write(0, kv, admission[0].slot(), k, kv * headDim, v, kv * headDim);
                int off = kv * perKv * headDim;
                attention.attend(cache, 0, admission[0], kv * perKv, perKv, kv, q, off, out, off, sinkShift, 0, null);
            }
            assertArrayEquals(expected, out, tolerance, "step " + t);
        }
        cache.close();
    }
}
