package io.sinkserve.cache;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.sinkserve.cache.SameComputation.TOLERANCE;
import static io.sinkserve.cache.SinkCacheAttentionTest.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SinkCacheTest {
    private static final int HEADS = 4;
    private static final int KV = 2;
    private static final int DIM = 12;

    private static float[] feed(SinkCacheAttentionTest.Driver d, Random rnd) {
        return d.step(gaussian(rnd, HEADS * DIM), gaussian(rnd, KV * DIM), gaussian(rnd, KV * DIM));
    }

    @Test
    void bytesFollowTheFormulaAndStayConstantOverALongStream() {
        CacheConfig c = CacheConfig.streaming(4, 28).withStorage(KvStorage.F16);
        assertEquals(2L * 3 * 32 * 5 * 64 * 2, c.bytes(3, 5, 64));
        SinkCacheAttentionTest.Driver d = new SinkCacheAttentionTest.Driver(c, DIM, false);
        long bytes = d.cache.bytes();
        assertEquals(c.bytes(1, KV, DIM), bytes);
        Random rnd = new Random(1);
        for (int t = 0; t < 5000; t++) {
            feed(d, rnd);
            assertEquals(bytes, d.cache.bytes());
            assertTrue(d.cache.size() <= 32);
        }
        assertEquals(32, d.cache.size());
        assertEquals(5000, d.cache.tokensSeen());
    }

    @Test
    void tokenPolicyEvictsOneTokenPerStepPastCapacity() {
        List<Integer> events = new ArrayList<>();
        SinkCacheAttentionTest.Driver d = new SinkCacheAttentionTest.Driver(CacheConfig.streaming(4, 16), DIM, false);
        d.cache.setListener((p, n) -> {
            assertEquals(EvictionPolicy.TOKEN, p);
            events.add(n);
        });
        Random rnd = new Random(2);
        for (int t = 0; t < 50; t++) {
            feed(d, rnd);
        }
        assertEquals(30, d.cache.evictions());
        assertEquals(30, d.cache.evictedTokens());
        assertEquals(30, events.size());
        assertEquals(20, d.cache.size());
    }

    @Test
    void batchPolicyEvictsBlocks() {
        List<Integer> events = new ArrayList<>();
        SinkCacheAttentionTest.Driver d = new SinkCacheAttentionTest.Driver(
                CacheConfig.streaming(4, 16).withPolicy(EvictionPolicy.BATCH), DIM, false);
        d.cache.setListener((p, n) -> events.add(n));
        Random rnd = new Random(3);
        for (int t = 0; t < 50; t++) {
            feed(d, rnd);
        }
        // 20 fill the cache; tokens 21, 29, 37, 45 each find it full and evict 8.
        assertEquals(List.of(8, 8, 8, 8), events);
        assertEquals(4, d.cache.evictions());
        assertEquals(32, d.cache.evictedTokens());
        assertEquals(4 + (16 - 8 + 1) + 5, d.cache.size());
    }

    @Test
    void pinnedPrefixWidensTheSinks() {
        CacheConfig c = CacheConfig.streaming(4, 16).withPinnedPrefix(10);
        assertEquals(10, c.sinkSlots());
        assertEquals(26, c.capacity());
        SinkCacheAttentionTest.Driver d = new SinkCacheAttentionTest.Driver(c, DIM, false);
        Random rnd = new Random(4);
        for (int t = 0; t < 40; t++) {
            feed(d, rnd);
        }
        assertEquals(10, d.admission[0].sinks());
        assertEquals(16, d.admission[0].windowCount());
        assertEquals(39, d.admission[0].position());
        assertEquals(25, d.admission[0].cachePosition());
    }

    @Test
    void denseCacheRefusesTokensPastItsCapacityWithoutChangingState() {
        SinkCache cache = new SinkCache(CacheConfig.dense(8), 1, KV, DIM);
        Admission[] admissions = new Admission[10];
        for (int i = 0; i < admissions.length; i++) {
            admissions[i] = new Admission();
        }
        cache.admit(admissions, 0, 6);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.admit(admissions, 0, 3));
        assertTrue(e.getMessage().contains("dense cache holds 8 tokens"), e.getMessage());
        assertEquals(6, cache.size());
        cache.admit(admissions, 0, 2);
        assertEquals(7, admissions[1].cachePosition());
        assertEquals(0, cache.evictions());
        cache.close();
    }

    @Test
    void snapshotRoundTripIsExact() throws IOException {
        for (KvStorage storage : KvStorage.values()) {
            CacheConfig c = CacheConfig.streaming(4, 16).withPolicy(EvictionPolicy.BATCH).withBatchSize(5).withStorage(storage);
            SinkCacheAttentionTest.Driver a = new SinkCacheAttentionTest.Driver(c, DIM, true);
            Random rnd = new Random(5);
            for (int t = 0; t < 47; t++) {
                feed(a, rnd);
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.cache.writeSnapshot(bytes);
            // Compact: header + only the entries held, not the whole capacity.
            assertEquals(72 + a.cache.size() * 2L * KV * DIM * storage.bytes(), bytes.size());
            SinkCache restored = SinkCache.readSnapshot(new ByteArrayInputStream(bytes.toByteArray()));
            assertEquals(a.cache.tokensSeen(), restored.tokensSeen());
            assertEquals(a.cache.size(), restored.size());
            assertEquals(a.cache.evictions(), restored.evictions());
            assertEquals(a.cache.evictedTokens(), restored.evictedTokens());
            assertEquals(c, restored.config());
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            restored.writeSnapshot(again);
            assertArrayEquals(bytes.toByteArray(), again.toByteArray());

            SinkCacheAttentionTest.Driver restoredDriver = a.withCache(restored);
            Random same1 = new Random(6);
            Random same2 = new Random(6);
            for (int t = 0; t < 40; t++) {
                assertArrayEquals(feed(a, same1), feed(restoredDriver, same2), TOLERANCE, storage + " step " + t);
            }
        }
    }

    @Test
    void corruptSnapshotIsAnIOException() {
        assertThrows(IOException.class, () -> SinkCache.readSnapshot(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5})));
        assertThrows(IOException.class, () -> SinkCache.readSnapshot(new ByteArrayInputStream(new byte[] {0x53, 0x4B, 0x56, 0x31, 0, 0})));
    }

    @Test
    void copyIsIndependent() {
        SinkCacheAttentionTest.Driver a = new SinkCacheAttentionTest.Driver(CacheConfig.streaming(1, 16), DIM, false);
        Random rnd = new Random(8);
        for (int t = 0; t < 30; t++) {
            feed(a, rnd);
        }
        SinkCacheAttentionTest.Driver b = a.withCache(a.cache.copy());
        assertEquals(a.cache.tokensSeen(), b.cache.tokensSeen());
        // Diverge a, then feed both the same tokens: b must behave as a did before diverging.
        SinkCacheAttentionTest.Driver c = a.withCache(a.cache.copy());
        for (int t = 0; t < 20; t++) {
            feed(a, rnd);
        }
        Random same1 = new Random(9);
        Random same2 = new Random(9);
        for (int t = 0; t < 20; t++) {
            assertArrayEquals(feed(b, same1), feed(c, same2), TOLERANCE);
        }
        assertEquals(50, a.cache.tokensSeen());
        assertEquals(50, b.cache.tokensSeen());
    }

    /** A checkpoint undone after any number of admitted tokens (none, some, past a full window) leaves the cache as it was. */
    @ParameterizedTest
    @CsvSource({"TOKEN,3,0", "TOKEN,3,5", "TOKEN,30,7", "TOKEN,30,8", "TOKEN,30,23",
            "BATCH,30,5", "BATCH,30,19", "NONE,2,4"})
    void rollbackRestoresTheCheckpointExactly(EvictionPolicy policy, int before, int during) {
        CacheConfig config = policy == EvictionPolicy.NONE ? CacheConfig.dense(16)
                : CacheConfig.streaming(2, 8).withPolicy(policy).withBatchSize(3);
        SinkCacheAttentionTest.Driver a = new SinkCacheAttentionTest.Driver(config, DIM, false);
        Random rnd = new Random(11);
        for (int t = 0; t < before; t++) {
            feed(a, rnd);
        }
        SinkCacheAttentionTest.Driver reference = a.withCache(a.cache.copy());
        long evictions = a.cache.evictions();
        a.cache.checkpoint();
        for (int t = 0; t < during; t++) {
            feed(a, rnd);
        }
        a.cache.rollback();
        assertEquals(0, a.cache.undoBytes());
        assertEquals(before, a.cache.tokensSeen());
        assertEquals(reference.cache.size(), a.cache.size());
        assertEquals(evictions, a.cache.evictions());
        Random same1 = new Random(12);
        Random same2 = new Random(12);
        for (int t = 0; t < 10; t++) {
            assertArrayEquals(feed(reference, same1), feed(a, same2), 0f, "token " + t + " after the rollback");
        }
    }

    @Test
    void commitKeepsWhatWasAdmittedAndFreesTheUndoLog() {
        SinkCacheAttentionTest.Driver a = new SinkCacheAttentionTest.Driver(CacheConfig.streaming(2, 8), DIM, false);
        Random rnd = new Random(13);
        for (int t = 0; t < 12; t++) {
            feed(a, rnd);
        }
        a.cache.checkpoint();
        for (int t = 0; t < 3; t++) {
            feed(a, rnd);
        }
        assertTrue(a.cache.undoBytes() > 0, "three held entries were overwritten and saved");
        a.cache.commit();
        assertEquals(0, a.cache.undoBytes());
        a.cache.rollback();
        assertEquals(15, a.cache.tokensSeen(), "a rollback after commit changes nothing");
    }

    @Test
    void resetStartsOver() {
        SinkCacheAttentionTest.Driver a = new SinkCacheAttentionTest.Driver(CacheConfig.streaming(2, 8), DIM, false);
        SinkCacheAttentionTest.Driver fresh = new SinkCacheAttentionTest.Driver(CacheConfig.streaming(2, 8), DIM, false);
        Random rnd = new Random(10);
        for (int t = 0; t < 25; t++) {
            feed(a, rnd);
        }
        a.cache.reset();
        assertEquals(0, a.cache.size());
        assertEquals(0, a.cache.tokensSeen());
        assertEquals(0, a.cache.evictions());
        Random same1 = new Random(11);
        Random same2 = new Random(11);
        for (int t = 0; t < 15; t++) {
            assertArrayEquals(feed(fresh, same1), feed(a, same2), TOLERANCE);
        }
    }

    @Test
    void rotationsAtPositionsInTheMillionsStayExact() {
        Rope rope = Rope.of(8, 8, 10000, false, null);
        float[] x = gaussian(new Random(12), 8);
        float[] y = x.clone();
        rope.rotate(y, 0, 1, 3_000_000_017L);
        rope.rotate(y, 0, 1, -3_000_000_017L);
        assertArrayEquals(x, y, 1e-5f);
    }
}
