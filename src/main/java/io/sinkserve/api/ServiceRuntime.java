package io.sinkserve.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.metrics.ServiceMetrics;
import io.sinkserve.scheduler.Engine;
import io.sinkserve.scheduler.EngineSequence;
import io.sinkserve.scheduler.ModelEngine;
import io.sinkserve.scheduler.Scheduler;
import io.sinkserve.scheduler.SchedulerLimits;
import io.sinkserve.session.SessionLimits;
import io.sinkserve.session.SessionRegistry;
import io.sinkserve.session.SessionSettings;
import io.sinkserve.session.TurnService;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The service's moving parts and their lifecycle: loads and warms the model in the background at startup
 * (readiness stays DOWN until then), owns the scheduler and the session registry, sweeps idle sessions, and
 * drains on shutdown.
 */
@ApplicationScoped
public class ServiceRuntime {
    private static final Logger LOG = Logger.getLogger(ServiceRuntime.class);

    @Inject
    SinkserveConfig config;
    @Inject
    MeterRegistry meterRegistry;
    @Inject
    Vertx vertx;

    private volatile Engine engine;
    private volatile Scheduler scheduler;
    private volatile SessionRegistry sessions;
    private volatile TurnService turns;
    private volatile SessionSettings defaults;
    private volatile boolean draining;
    private volatile String loadError;

    void start(@Observes StartupEvent event) {
        ServiceMetrics metrics = new ServiceMetrics(meterRegistry);
        Thread.ofPlatform().name("sinkserve-model-loader").start(() -> load(metrics));
    }

    private void load(ServiceMetrics metrics) {
        try {
            ModelLocator.ServedModel served = ModelLocator.locate(config);
            Path path = served.path();
            String name = served.name();
            long t0 = System.nanoTime();
            Engine e = ModelEngine.load(path, name, config.threads(), served.chatTemplate());
            SessionSettings settings = defaultSettings(e);
            warm(e);
            SinkserveConfig.Limits l = config.limits();
            Scheduler s = new Scheduler(e, new SchedulerLimits(l.maxRunning(), l.maxWaiting(), l.prefillChunk(),
                    l.stallTimeout()), metrics);
            metrics.bindQueue(s::running, s::waiting);
            sessions = new SessionRegistry(e, new SessionLimits(l.maxSessions(), l.sessionIdleTtl(), l.kvMemoryBudget()),
                    metrics, System::nanoTime);
            long sweepMillis = Math.clamp(l.sessionIdleTtl().toMillis() / 4, 1000, 30_000);
            vertx.setPeriodic(sweepMillis, id -> sessions.removeExpired());
            defaults = settings;
            turns = new TurnService(sessions, s, l.maxPromptTokens());
            scheduler = s;
            engine = e;
            LOG.infof("serving %s as '%s' (trained context %d); ready in %.1f s; cache: %d sinks + %d window, %s policy",
                    path, name, e.contextLength(), (System.nanoTime() - t0) / 1e9,
                    settings.sinks(), settings.window(), settings.policy().name().toLowerCase(Locale.ROOT));
        } catch (RuntimeException ex) {
            loadError = ex.getMessage();
            LOG.errorf("the model could not be loaded: %s", ex.getMessage());
        }
    }

    /** Runs a prompt chunk and a decode step once so the first request does not pay for class loading and JIT. */
    private static void warm(Engine e) {
        try (EngineSequence seq = e.newSequence(CacheConfig.streaming(4, 28))) {
            int[] prompt = e.encode("Hello");
            e.prefill(seq, prompt);
            e.decode(List.of(seq), new int[] {prompt[prompt.length - 1]});
        }
    }

    private SessionSettings defaultSettings(Engine e) {
        SinkserveConfig.Cache c = config.cache();
        int window = c.window().orElse(CacheConfig.defaultWindow(e.contextLength(), c.sinks()));
        return new SessionSettings(c.sinks(), window, parse(EvictionPolicy.class, c.policy(), "sinkserve.cache.policy"),
                c.batchSize().orElse(Math.max(1, window / 2)),
                parse(KvStorage.class, c.kvStorage(), "sinkserve.cache.kv-storage"), c.pinSystemPrompt(),
                SamplingParams.defaults(config.limits().maxTokensDefault(), 0), OptionalLong.empty());
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String key) {
        return SessionChoice.of(type, value).orElseThrow(() -> new IllegalArgumentException(
                key + ": unknown value '" + value + "'; expected one of " + SessionChoice.names(type)));
    }

    /**
     * First step of a shutdown, while connections are still open: refuse new requests, give running generations
     * the grace period, then end the rest with an error event and [DONE].
     */
    void drainOnShutdown(@Observes ShutdownDelayInitiatedEvent event) throws InterruptedException {
        drain();
        Scheduler s = scheduler;
        if (s != null) {
            boolean finished = s.shutdown(config.shutdownGrace());
            LOG.infof("shutdown: %s", finished ? "running generations finished" : "streams still running were cut");
        }
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        drain();
        Scheduler s = scheduler;
        if (s != null) {
            s.shutdown(Duration.ZERO);
            engine.close();
        }
    }

    /** Marks the service as shutting down: new requests get 503. */
    void drain() {
        draining = true;
    }

    boolean ready() {
        return engine != null && !draining;
    }

    private void requireReady() {
        if (draining) {
            throw ApiException.unavailable("shutting_down", "the server is shutting down");
        }
        if (engine == null) {
            throw ApiException.unavailable("model_loading", loadError != null
                    ? "the model failed to load: " + loadError : "the model is still loading; retry shortly");
        }
    }

    Engine engine() {
        requireReady();
        return engine;
    }

    Scheduler scheduler() {
        requireReady();
        return scheduler;
    }

    SessionRegistry sessions() {
        requireReady();
        return sessions;
    }

    TurnService turns() {
        requireReady();
        return turns;
    }

    SessionSettings defaults() {
        requireReady();
        return defaults;
    }

    SinkserveConfig config() {
        return config;
    }
}
