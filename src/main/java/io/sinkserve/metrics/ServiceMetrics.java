package io.sinkserve.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The service's meters, named as in DESIGN.md once Prometheus has appended its suffixes
 * ({@code _total} for counters, {@code _seconds} for timers). Labels never carry a session id.
 */
public final class ServiceMetrics {
    private static final Duration[] LATENCY_SLOS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(120)};

    private final MeterRegistry registry;
    private final Map<String, Counter> evictionsByPolicy = new ConcurrentHashMap<>();
    private final Map<String, Counter> removalsByReason = new ConcurrentHashMap<>();
    private final Counter evictedTokens;
    private final Counter promptTokens;
    private final Counter generatedTokens;
    private final Counter cancelled;
    private final Counter rebuilds;
    private final Counter stalled;
    private final Counter implicitHits;
    private final Counter implicitMisses;
    private final Timer timeToFirstToken;
    private final Timer interTokenLatency;
    private final Timer requestDuration;
    private volatile double decodeTokensPerSecond;

    public ServiceMetrics(MeterRegistry registry) {
        this.registry = registry;
        evictedTokens = Counter.builder("sinkserve.kvcache.evicted.tokens")
                .description("Tokens evicted from session KV caches").register(registry);
        promptTokens = Counter.builder("sinkserve.prompt.tokens")
                .description("Prompt tokens prefilled (only the part a session had not seen)").register(registry);
        generatedTokens = Counter.builder("sinkserve.generated.tokens")
                .description("Tokens generated").register(registry);
        cancelled = Counter.builder("sinkserve.requests.cancelled")
                .description("Generations cancelled (client gone or shutdown)").register(registry);
        rebuilds = Counter.builder("sinkserve.sessions.rebuilds")
                .description("Sessions rebuilt because the client's history no longer matched").register(registry);
        stalled = Counter.builder("sinkserve.streams.stalled")
                .description("Streams cancelled because the client read nothing for the stall timeout").register(registry);
        implicitHits = Counter.builder("sinkserve.sessions.implicit").tag("result", "hit")
                .description("Requests without a session id, by whether they continued an implicit session").register(registry);
        implicitMisses = Counter.builder("sinkserve.sessions.implicit").tag("result", "miss")
                .description("Requests without a session id, by whether they continued an implicit session").register(registry);
        timeToFirstToken = latency("sinkserve.time.to.first.token", "From request to first generated token");
        interTokenLatency = latency("sinkserve.inter.token.latency", "Between consecutive generated tokens");
        requestDuration = latency("sinkserve.request.duration", "Whole generation, queueing included");
        Gauge.builder("sinkserve.decode.tokens.per.second", this, m -> m.decodeTokensPerSecond)
                .description("Aggregate decode throughput over the last measured interval").register(registry);
        for (String reason : new String[] {"ttl", "lru", "memory", "deleted"}) {
            removalCounter(reason);
        }
        for (String policy : new String[] {"token", "batch"}) {
            evictionCounter(policy);
        }
    }

    /**
     * Buckets only: client-side percentiles would put quantile samples into a family typed histogram, which
     * Prometheus parsers reject, and they cannot be aggregated across pods anyway (histogram_quantile can).
     */
    private Timer latency(String name, String description) {
        return Timer.builder(name).description(description)
                .serviceLevelObjectives(LATENCY_SLOS)
                .register(registry);
    }

    public void evicted(String policy, int tokens) {
        evictionCounter(policy.toLowerCase(Locale.ROOT)).increment();
        evictedTokens.increment(tokens);
    }

    private Counter evictionCounter(String policy) {
        return evictionsByPolicy.computeIfAbsent(policy, p -> Counter.builder("sinkserve.kvcache.evictions")
                .description("Eviction events in session KV caches").tag("policy", p).register(registry));
    }

    public void sessionRemoved(String reason) {
        removalCounter(reason).increment();
    }

    private Counter removalCounter(String reason) {
        return removalsByReason.computeIfAbsent(reason, r -> Counter.builder("sinkserve.sessions.removed")
                .description("Sessions removed, by reason").tag("reason", r).register(registry));
    }

    public void sessionRebuilt() {
        rebuilds.increment();
    }

    public void promptTokens(int n) {
        promptTokens.increment(n);
    }

    public void generatedToken() {
        generatedTokens.increment();
    }

    public void cancelled() {
        cancelled.increment();
    }

    public void implicitSession(boolean hit) {
        (hit ? implicitHits : implicitMisses).increment();
    }

    public void streamStalled() {
        stalled.increment();
    }

    public void timeToFirstToken(long nanos) {
        timeToFirstToken.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void interTokenLatency(long nanos) {
        interTokenLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void requestDuration(long nanos) {
        requestDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void decodeThroughput(double tokensPerSecond) {
        decodeTokensPerSecond = tokensPerSecond;
    }

    /** Queue gauges, read from the scheduler on every scrape. */
    public void bindQueue(Supplier<Number> running, Supplier<Number> waiting) {
        Gauge.builder("sinkserve.requests.running", running).description("Generations running").register(registry);
        Gauge.builder("sinkserve.requests.waiting", waiting).description("Generations waiting for a slot").register(registry);
    }

    /** Session and KV-cache gauges, read from the session registry on every scrape. */
    public void bindSessions(Supplier<Number> active, Supplier<Number> cacheTokens, Supplier<Number> cacheBytes,
                             Supplier<Number> usageRatio) {
        Gauge.builder("sinkserve.sessions.active", active).description("Sessions in the registry").register(registry);
        Gauge.builder("sinkserve.kvcache.tokens", cacheTokens).description("Tokens held in all KV caches").register(registry);
        Gauge.builder("sinkserve.kvcache.bytes", cacheBytes).description("Bytes of all KV caches").register(registry);
        Gauge.builder("sinkserve.kvcache.usage.ratio", usageRatio)
                .description("Tokens held / capacity, over all KV caches").register(registry);
    }
}
