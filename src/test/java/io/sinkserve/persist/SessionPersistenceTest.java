package io.sinkserve.persist;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.metrics.PersistenceMetrics;
import io.sinkserve.metrics.ServiceMetrics;
import io.sinkserve.scheduler.FakeEngine;
import io.sinkserve.session.Continuation;
import io.sinkserve.session.Session;
import io.sinkserve.session.SessionLimits;
import io.sinkserve.session.SessionRegistry;
import io.sinkserve.session.SessionSettings;
import io.sinkserve.session.TurnPlan;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionPersistenceTest {
    private static final SessionSettings SETTINGS = new SessionSettings(CacheConfig.streaming(4, 60), false,
            SamplingParams.greedy(16), OptionalLong.empty());
    private static final ModelIdentity MODEL = new ModelIdentity(1234, "ab".repeat(32));
    private static final Function<String, Optional<String>> KEYS = hash -> List.of("key-a", "key-b").stream()
            .filter(k -> OwnerHash.of(k).equals(hash)).findFirst();

    @TempDir
    Path dir;
    private final FakeEngine engine = new FakeEngine(false);
    private final AtomicLong clock = new AtomicLong();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** A registry and its persistence over {@link #dir}, as one start of the server has them. */
    private record Server(SessionRegistry registry, SessionPersistence persistence) {
    }

    private Server start(int maxSessions) throws Exception {
        SessionRegistry r = new SessionRegistry(engine, new SessionLimits(maxSessions, Duration.ofMinutes(10), Long.MAX_VALUE),
                new ServiceMetrics(meters), clock::get);
        return new Server(r, new SessionPersistence(new SnapshotDirectory(dir), MODEL, engine, r,
                new PersistenceMetrics(meters, SkipReason.labels()), 1 << 20));
    }

    /** One finished turn: the session has fed {@code prompt} and expects the next prompt to extend it. */
    private Session turn(SessionRegistry r, String id, String owner, int[] prompt) {
        Session s = r.acquireOrCreate(id, owner, SETTINGS);
        TurnPlan plan = r.plan(s, prompt);
        if (plan.fresh()) {
            r.allocate(s, s.settings().cacheConfig(0));
            r.install(s);
        }
        engine.prefill(s.sequence(), plan.newTokens());
        s.continueWith(new Continuation(Continuation.Seen.rendered(() -> prompt), new int[] {99}));
        r.release(s);
        return s;
    }

    private double skipped(String reason) {
        return meters.get("sinkserve.session.snapshots.skipped").tag("reason", reason).counter().count();
    }

    private List<Path> files() throws Exception {
        return new SnapshotDirectory(dir).snapshots();
    }

    @Test
    void aRestoredSessionContinuesWhereItStoppedForItsOwnerOnly() throws Exception {
        Server first = start(8);
        turn(first.registry(), "chat-1", "key-a", new int[] {1, 5, 6, 7});
        assertEquals(1, first.persistence().persist(false));

        Server second = start(8);
        assertEquals(1, second.persistence().restore(KEYS));
        assertTrue(second.registry().find("chat-1", "key-b").isEmpty(), "another key never sees it");
        Session s = second.registry().acquire("chat-1", "key-a");
        assertArrayEquals(new int[] {1, 5, 6, 7}, s.sequence().recentTokens(1 << 16));
        TurnPlan plan = second.registry().plan(s, new int[] {1, 5, 6, 7, 8, 9});
        assertEquals(4, plan.cachedTokens());
        assertArrayEquals(new int[] {99, 8, 9}, plan.newTokens(), "the pending token, then only the new ones");
        assertEquals(1.0, meters.get("sinkserve.sessions.restored").counter().count());
    }

    @Test
    void aSessionWhoseKeyIsGoneIsSkippedAndItsFileKept() throws Exception {
        Server first = start(8);
        turn(first.registry(), "chat-1", "key-c", new int[] {1, 2});
        first.persistence().persist(false);

        Server second = start(8);
        assertEquals(0, second.persistence().restore(KEYS));
        assertEquals(1.0, skipped("owner"));
        assertEquals(0, second.registry().active());
        assertEquals(1, files().size(), "kept for a server that accepts the key again");
    }

    @Test
    void theLimitsKeepTheMostRecentSessionsAndDropTheRest() throws Exception {
        Server first = start(8);
        for (String id : List.of("old", "mid", "new")) {
            turn(first.registry(), id, "key-a", new int[] {1, 2, 3});
        }
        first.persistence().persist(false);
        SnapshotDirectory d = new SnapshotDirectory(dir);
        long t = System.currentTimeMillis();
        Files.setLastModifiedTime(d.fileFor(OwnerHash.of("key-a"), "old"), FileTime.fromMillis(t - 30_000));
        Files.setLastModifiedTime(d.fileFor(OwnerHash.of("key-a"), "mid"), FileTime.fromMillis(t - 20_000));
        Files.setLastModifiedTime(d.fileFor(OwnerHash.of("key-a"), "new"), FileTime.fromMillis(t - 10_000));

        Server second = start(2);
        assertEquals(2, second.persistence().restore(KEYS));
        assertTrue(second.registry().find("new", "key-a").isPresent());
        assertTrue(second.registry().find("mid", "key-a").isPresent());
        assertTrue(second.registry().find("old", "key-a").isEmpty());
        assertEquals(1.0, skipped("limits"));
        assertFalse(Files.exists(d.fileFor(OwnerHash.of("key-a"), "old")), "a session the limits leave out is gone for good");
    }

    @Test
    void aRemovedSessionsFileIsDeletedAtOnce() throws Exception {
        Server first = start(8);
        turn(first.registry(), "deleted", "key-a", new int[] {1, 2});
        turn(first.registry(), "expired", "key-a", new int[] {1, 2});
        turn(first.registry(), "kept", "key-a", new int[] {1, 2});
        first.persistence().persist(false);
        assertEquals(3, files().size());
        first.registry().delete("deleted", "key-a");
        assertEquals(2, files().size());
        clock.addAndGet(Duration.ofMinutes(11).toNanos());
        turn(first.registry(), "kept", "key-a", new int[] {1, 2, 3});
        first.registry().removeExpired();
        assertEquals(List.of(new SnapshotDirectory(dir).fileFor(OwnerHash.of("key-a"), "kept")), files(),
                "a restart brings back neither a deleted nor an expired conversation");
    }

    @Test
    void theIntervalPassWritesOnlyIdleSessionsUsedSinceTheirLastWrite() throws Exception {
        Server server = start(8);
        turn(server.registry(), "a", "key-a", new int[] {1, 2});
        turn(server.registry(), "b", "key-a", new int[] {1, 2});
        assertEquals(2, server.persistence().persist(true));
        assertEquals(0, server.persistence().persist(true), "nothing changed");
        Thread.sleep(5);
        turn(server.registry(), "a", "key-a", new int[] {1, 2, 3});
        Session busy = server.registry().acquire("b", "key-a");
        assertEquals(1, server.persistence().persist(true), "a was used again; b is busy");
        server.registry().release(busy);
        assertEquals(1, server.persistence().persist(true), "b's release was a use");
        assertEquals(4.0, meters.get("sinkserve.sessions.persisted").counter().count());
    }

    @Test
    void aBackgroundWriteIsNotAUse() throws Exception {
        Server server = start(8);
        Session s = turn(server.registry(), "a", "key-a", new int[] {1, 2});
        var lastUsed = s.lastUsedAt();
        clock.addAndGet(Duration.ofMinutes(11).toNanos());
        server.persistence().persist(false);
        assertEquals(lastUsed, s.lastUsedAt());
        assertEquals(1, server.registry().removeExpired(), "the TTL still counts from the last request");
    }

    @Test
    void anInterruptedWriteLeavesTheOldFileAndItsTempIsClearedOnOpen() throws Exception {
        SnapshotDirectory d = new SnapshotDirectory(dir);
        Path file = d.fileFor("owner", "id");
        d.write(file, new byte[] {1, 2, 3});
        d.write(file, new byte[] {4, 5});
        assertArrayEquals(new byte[] {4, 5}, Files.readAllBytes(file));
        Files.write(dir.resolve(file.getFileName() + ".tmp-interrupted"), new byte[] {9});
        try (var left = Files.list(dir)) {
            assertEquals(2, left.count());
        }
        new SnapshotDirectory(dir);
        try (var left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList());
        }
    }
}
