package io.sinkserve.session;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.metrics.ServiceMetrics;
import io.sinkserve.scheduler.FakeEngine;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionRegistryTest {
    private static final SessionSettings SETTINGS =
            new SessionSettings(CacheConfig.streaming(4, 60), false, SamplingParams.greedy(16), OptionalLong.empty());
    private static final long CACHE_BYTES = 64L * 64;   // FakeEngine: 64 bytes per slot, capacity 64

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final FakeEngine engine = new FakeEngine(false);
    private final AtomicLong clock = new AtomicLong();

    private SessionRegistry registry(int maxSessions, long budget) {
        return new SessionRegistry(engine, new SessionLimits(maxSessions, Duration.ofMinutes(10), budget),
                new ServiceMetrics(meters), clock::get);
    }

    private double removed(String reason) {
        return meters.get("sinkserve.sessions.removed").tag("reason", reason).counter().count();
    }

    @Test
    void sessionBelongsToItsOwnerAndTakesOneRequestAtATime() {
        SessionRegistry r = registry(8, Long.MAX_VALUE);
        Session s = r.acquireOrCreate("chat-1", "key-a", SETTINGS);
        assertThrows(SessionBusyException.class, () -> r.acquireOrCreate("chat-1", "key-a", SETTINGS));
        assertTrue(r.find("chat-1", "key-b").isEmpty());
        assertThrows(SessionNotFoundException.class, () -> r.acquire("chat-1", "key-b"));
        Session theirs = r.acquireOrCreate("chat-1", "key-b", SETTINGS);
        assertNotSame(s, theirs, "the same id under another key is another session, never a squat on this one");
        r.release(theirs);
        r.delete("chat-1", "key-b");
        assertThrows(SessionBusyException.class, () -> r.delete("chat-1", "key-a"), "key-b's delete left key-a's alone");
        r.release(s);
        assertEquals(s, r.acquire("chat-1", "key-a"));
        r.release(s);
        r.delete("chat-1", "key-a");
        assertTrue(r.find("chat-1", "key-a").isEmpty());
        assertEquals(2, removed("deleted"));
    }

    @Test
    void idleSessionsExpireAfterTheTtl() {
        SessionRegistry r = registry(8, Long.MAX_VALUE);
        r.release(r.acquireOrCreate("old", "", SETTINGS));
        clock.addAndGet(Duration.ofMinutes(6).toNanos());
        Session busy = r.acquireOrCreate("busy", "", SETTINGS);
        r.release(r.acquireOrCreate("recent", "", SETTINGS));
        clock.addAndGet(Duration.ofMinutes(5).toNanos());
        assertEquals(1, r.removeExpired());
        assertTrue(r.find("old", "").isEmpty());
        assertTrue(r.find("recent", "").isPresent());
        clock.addAndGet(Duration.ofMinutes(20).toNanos());
        assertEquals(1, r.removeExpired(), "a session in use never expires");
        assertTrue(r.find("busy", "").isPresent());
        assertEquals(2, removed("ttl"));
        r.release(busy);
    }

    @Test
    void beyondMaxSessionsTheLeastRecentlyUsedIdleOneGoes() {
        SessionRegistry r = registry(2, Long.MAX_VALUE);
        r.release(r.acquireOrCreate("a", "", SETTINGS));
        clock.incrementAndGet();
        r.release(r.acquireOrCreate("b", "", SETTINGS));
        clock.incrementAndGet();
        r.release(r.acquire("a", ""));
        r.create("", SETTINGS);
        assertTrue(r.find("b", "").isEmpty());
        assertTrue(r.find("a", "").isPresent());
        assertEquals(1, removed("lru"));
        assertEquals(2, r.active());
    }

    /** What a turn that succeeds does to the registry: plan, a fresh sequence when planned, install it. */
    private static TurnPlan turn(SessionRegistry r, Session s, int[] prompt) {
        TurnPlan p = r.plan(s, prompt);
        if (p.fresh()) {
            r.allocate(s, s.settings().cacheConfig(0));
            r.install(s);
        }
        return p;
    }

    @Test
    void memoryBudgetRemovesIdleCachesOrRefuses() {
        SessionRegistry r = registry(8, 2 * CACHE_BYTES);
        Session a = r.acquireOrCreate("a", "", SETTINGS);
        turn(r, a, engine.encode("hello"));
        FakeEngine.FakeSequence aCache = (FakeEngine.FakeSequence) a.sequence();
        r.release(a);
        clock.incrementAndGet();
        Session b = r.acquireOrCreate("b", "", SETTINGS);
        turn(r, b, engine.encode("hello"));
        assertEquals(2 * CACHE_BYTES, r.cacheBytes());
        Session c = r.acquireEphemeral("", SETTINGS);
        turn(r, c, engine.encode("hello"));
        assertTrue(r.find("a", "").isEmpty(), "the idle session made room");
        assertTrue(aCache.closed, "its cache memory was freed");
        assertEquals(1, removed("memory"));
        Session d = r.acquireOrCreate("d", "", SETTINGS);
        assertThrows(SessionCapacityException.class, () -> turn(r, d, engine.encode("hi")));
        FakeEngine.FakeSequence cCache = (FakeEngine.FakeSequence) c.sequence();
        r.release(c);
        assertTrue(cCache.closed);
        turn(r, d, engine.encode("hi"));
        assertEquals(2 * CACHE_BYTES, r.cacheBytes(), "the ephemeral session's cache went with its request");
    }

    @Test
    void planPrefillsOnlyWhatTheSessionHasNotSeenAndRebuildsOnDivergence() {
        SessionRegistry r = registry(8, Long.MAX_VALUE);
        Session s = r.acquireOrCreate("s", "", SETTINGS);
        int[] first = engine.encode("hello there");
        TurnPlan p1 = turn(r, s, first);
        assertArrayEquals(first, p1.newTokens());
        assertFalse(p1.rebuilt());
        engine.prefill(s.sequence(), p1.newTokens());

        int[] second = engine.encode("hello there and more");
        TurnPlan p2 = turn(r, s, second);
        assertEquals(first.length, p2.cachedTokens());
        assertArrayEquals(engine.encode("hello there and more"), concat(first, p2.newTokens()));
        engine.prefill(s.sequence(), p2.newTokens());

        int[] edited = engine.encode("hello where and more, again");
        TurnPlan p3 = turn(r, s, edited);
        assertTrue(p3.rebuilt());
        assertArrayEquals(edited, p3.newTokens());
        assertEquals(0, s.sequence().stats().tokensSeen(), "a fresh sequence");
        assertEquals(1, s.rebuilds());
        assertEquals(1, meters.get("sinkserve.sessions.rebuilds").counter().count());
    }

    @Test
    void aContinuationLetsTheNextTurnSkipWhatWasRenderedDifferentlyFromWhatWasGenerated() {
        SessionRegistry r = registry(8, Long.MAX_VALUE);
        Session s = r.acquireOrCreate("s", "", SETTINGS);
        int[] first = engine.encode("hello");
        turn(r, s, first);
        engine.prefill(s.sequence(), first);
        int[] generated = engine.encode("xyz");
        engine.prefill(s.sequence(), generated);
        int[] canonical = engine.encode("hello world");   // the reply re-rendered: not what the cache holds
        s.continueWith(new Continuation(next -> Continuation.Seen.prefixIn(canonical, next), new int[] {27}));
        int[] next = engine.encode("hello world and more");
        TurnPlan p = turn(r, s, next);
        assertFalse(p.rebuilt());
        assertEquals(canonical.length, p.cachedTokens());
        assertEquals(next.length, p.promptTokens());
        assertEquals(27, p.newTokens()[0], "the pending token goes first");
        assertEquals(1 + next.length - canonical.length, p.newTokens().length);

        assertArrayEquals(p.newTokens(), r.plan(s, next).newTokens(), "planning changes nothing: a refused turn leaves it");
        TurnPlan again = turn(r, s, engine.encode("something else entirely"));
        assertTrue(again.rebuilt(), "a prompt that extends neither the continuation nor the history rebuilds");
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
