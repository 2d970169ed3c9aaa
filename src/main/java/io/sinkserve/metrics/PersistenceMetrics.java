package io.sinkserve.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Meters of session persistence: snapshot files written, failed writes, sessions restored, files skipped by reason. */
public final class PersistenceMetrics {
    private final MeterRegistry registry;
    private final Counter written;
    private final Counter writeFailures;
    private final Counter restored;
    private final Map<String, Counter> skippedByReason = new ConcurrentHashMap<>();

    public PersistenceMetrics(MeterRegistry registry, Iterable<String> skipReasons) {
        this.registry = registry;
        written = Counter.builder("sinkserve.sessions.persisted")
                .description("Session snapshot files written").register(registry);
        writeFailures = Counter.builder("sinkserve.sessions.persist.failures")
                .description("Session snapshots that could not be written").register(registry);
        restored = Counter.builder("sinkserve.sessions.restored")
                .description("Sessions restored from snapshot files at startup").register(registry);
        skipReasons.forEach(this::skipCounter);
    }

    public void written() {
        written.increment();
    }

    public void writeFailed() {
        writeFailures.increment();
    }

    public void restored() {
        restored.increment();
    }

    public void skipped(String reason) {
        skipCounter(reason).increment();
    }

    private Counter skipCounter(String reason) {
        return skippedByReason.computeIfAbsent(reason, r -> Counter.builder("sinkserve.session.snapshots.skipped")
                .description("Snapshot files not restored, by reason").tag("reason", r).register(registry));
    }
}
