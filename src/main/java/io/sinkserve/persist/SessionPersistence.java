package io.sinkserve.persist;

import io.sinkserve.metrics.PersistenceMetrics;
import io.sinkserve.model.Engine;
import io.sinkserve.session.Session;
import io.sinkserve.session.SessionRegistry;
import io.sinkserve.session.SessionSnapshot;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Keeps the registry's sessions in a {@link SnapshotDirectory}: {@link #restore} at startup, {@link #persist} on
 * shutdown (and on an interval), and a removed session's file deleted at once so a restart never brings back a
 * deleted or expired conversation.
 */
public final class SessionPersistence {
    private static final Logger LOG = Logger.getLogger(SessionPersistence.class);

    private final SnapshotDirectory dir;
    private final ModelIdentity model;
    private final Engine engine;
    private final SessionRegistry registry;
    private final PersistenceMetrics metrics;
    private final long maxFileBytes;
    // per file: the lastUsedAt (ms) of the version on disk, so an interval pass skips unchanged sessions
    private final Map<Path, Long> written = new ConcurrentHashMap<>();
    // per file: serialises a write against the removal of its session
    private final Map<Path, Object> locks = new ConcurrentHashMap<>();

    /**
     * @param maxFileBytes files larger than this are skipped as corrupt without being read (no session's cache and
     *                     state can be that large under the registry's memory budget)
     */
    public SessionPersistence(SnapshotDirectory dir, ModelIdentity model, Engine engine, SessionRegistry registry,
                              PersistenceMetrics metrics, long maxFileBytes) {
        this.dir = dir;
        this.model = model;
        this.engine = engine;
        this.registry = registry;
        this.metrics = metrics;
        this.maxFileBytes = maxFileBytes;
        registry.onRemoval(this::forget);
    }

    /**
     * Restores every snapshot written for this model, the most recently written first, while the registry's limits
     * have room. A file that cannot be restored is skipped with one log line and counted by reason: corrupt ones are
     * renamed aside, those of another model or an owner no longer accepted stay for a server that can use them,
     * those the limits leave out are deleted (as if removed by LRU). Returns how many sessions came back.
     *
     * @param ownerOfHash the owner (API key, or "" without keys) an {@link OwnerHash} stands for, if it is accepted now
     */
    public int restore(Function<String, Optional<String>> ownerOfHash) {
        int restored = 0;
        for (Path file : newestFirst()) {
            try {
                SnapshotFile.Contents c = SnapshotFile.decode(dir.read(file, maxFileBytes), model, engine);
                Optional<String> owner = ownerOfHash.apply(c.session().owner());
                if (owner.isEmpty()) {
                    close(c);
                    throw new SnapshotRejectedException(SkipReason.OWNER, "its owner's API key is not configured");
                }
                SessionSnapshot session = c.session().withOwner(owner.get());
                if (!registry.restore(session, c.sequence())) {
                    close(c);
                    dir.delete(file);
                    throw new SnapshotRejectedException(SkipReason.LIMITS, "the session limits (max-sessions, "
                            + "kv-memory-budget) have no room left or the id is taken; file deleted");
                }
                written.put(file, session.lastUsedAtMs());
                metrics.restored();
                restored++;
            } catch (SnapshotRejectedException e) {
                skip(file, e);
            } catch (IOException | UncheckedIOException e) {
                skip(file, new SnapshotRejectedException(SkipReason.CORRUPT, "cannot read: " + e.getMessage(), e));
            }
        }
        return restored;
    }

    private static void close(SnapshotFile.Contents c) {
        if (c.sequence() != null) {
            c.sequence().close();
        }
    }

    private void skip(Path file, SnapshotRejectedException e) {
        metrics.skipped(e.reason().label());
        String where = file.toString();
        if (e.reason() == SkipReason.CORRUPT) {
            try {
                where = file + " (renamed to " + dir.setAside(file).getFileName() + ")";
            } catch (IOException moveFailed) {
                where = file + " (could not be renamed aside: " + moveFailed.getMessage() + ")";
            }
        }
        LOG.warnf("session snapshot %s skipped (%s): %s", where, e.reason().label(), e.getMessage());
    }

    private List<Path> newestFirst() {
        try {
            List<Path> files = new ArrayList<>(dir.snapshots());
            Map<Path, FileTime> times = new ConcurrentHashMap<>();
            for (Path f : files) {
                times.put(f, Files.getLastModifiedTime(f));
            }
            files.sort(Comparator.comparing(times::get, Comparator.reverseOrder()));
            return files;
        } catch (IOException e) {
            LOG.errorf("session snapshots in %s cannot be listed, none restored: %s", dir.path(), e.getMessage());
            return List.of();
        }
    }

    /**
     * Writes the named sessions that are idle and have a sequence: all of them, or with {@code onlyChanged} those
     * used since their file was written. A session busy throughout is left for the next pass; returns how many
     * files were written.
     */
    public int persist(boolean onlyChanged) {
        int count = 0;
        for (Session s : registry.named()) {
            SessionSnapshot[] snap = new SessionSnapshot[1];
            byte[][] bytes = new byte[1][];
            Path file = dir.fileFor(OwnerHash.of(s.owner()), s.id());
            boolean idle;
            try {
                idle = registry.whileIdle(s, held -> {
                    if (held.sequence() == null || (onlyChanged
                            && written.getOrDefault(file, Long.MIN_VALUE) == held.lastUsedAt().toEpochMilli())) {
                        return;
                    }
                    snap[0] = held.snapshot();
                    bytes[0] = encode(snap[0], held);
                });
            } catch (RuntimeException e) {
                // one session that cannot be snapshotted must not stop the others (nor the interval's timer)
                metrics.writeFailed();
                LOG.errorf(e, "session %s could not be snapshotted", s.id());
                continue;
            }
            if (idle && bytes[0] != null && write(s, file, bytes[0], snap[0].lastUsedAtMs())) {
                count++;
            }
        }
        return count;
    }

    private byte[] encode(SessionSnapshot snap, Session held) {
        try {
            return SnapshotFile.encode(model, snap.withOwner(OwnerHash.of(snap.owner())), held.sequence());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean write(Session s, Path file, byte[] bytes, long lastUsedAtMs) {
        synchronized (locks.computeIfAbsent(file, f -> new Object())) {
            if (s.removed()) {
                return false;
            }
            try {
                dir.write(file, bytes);
                written.put(file, lastUsedAtMs);
                metrics.written();
                return true;
            } catch (IOException e) {
                metrics.writeFailed();
                LOG.errorf("session %s could not be written to %s: %s", s.id(), file, e.getMessage());
                return false;
            }
        }
    }

    private void forget(String id, String owner) {
        Path file = dir.fileFor(OwnerHash.of(owner), id);
        synchronized (locks.computeIfAbsent(file, f -> new Object())) {
            written.remove(file);
            try {
                dir.delete(file);
            } catch (IOException e) {
                LOG.errorf("the snapshot of removed session %s could not be deleted (%s): %s", id, file, e.getMessage());
            }
        }
        locks.remove(file);
    }
}
