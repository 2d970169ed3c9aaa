package io.sinkserve.api;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.metrics.PersistenceMetrics;
import io.sinkserve.metrics.ServiceMetrics;
import io.sinkserve.model.Engine;
import io.sinkserve.model.ModelEngine;
import io.sinkserve.model.Sequence;
import io.sinkserve.persist.ModelIdentity;
import io.sinkserve.persist.SessionPersistence;
import io.sinkserve.persist.SkipReason;
import io.sinkserve.persist.SnapshotDirectory;
import io.sinkserve.scheduler.Scheduler;
import io.sinkserve.scheduler.SchedulerLimits;
import io.sinkserve.session.Session;
import io.sinkserve.session.SessionLimits;
import io.sinkserve.session.SessionRegistry;
import io.sinkserve.session.SessionSettings;
import io.sinkserve.session.TurnService;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The service's moving parts and their lifecycle: loads and warms the model in the background at startup
 * (readiness stays DOWN until then), owns the scheduler and the session registry, sweeps idle sessions, and
 * drains on shutdown. With a persist dir, sessions are restored before readiness turns UP and written after the drain.
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
    private volatile long modelCreated;
    private volatile boolean draining;
    private volatile String loadError;
    private volatile SessionPersistence persistence;
    private final AtomicBoolean persistedOnShutdown = new AtomicBoolean();
    private ScheduledExecutorService persistTimer;

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
            long t1 = System.nanoTime();
            SessionSettings settings = defaultSettings(e);
            warm(e);
            long t2 = System.nanoTime();
            SinkserveConfig.Limits l = config.limits();
            Scheduler s = new Scheduler(e, new SchedulerLimits(l.maxRunning(), l.maxWaiting(), l.prefillChunk(),
                    l.stallTimeout()), metrics);
            metrics.bindQueue(s::running, s::waiting);
            sessions = new SessionRegistry(e, new SessionLimits(l.maxSessions(), l.sessionIdleTtl(), l.kvMemoryBudget()),
                    metrics, System::nanoTime);
            long sweepMillis = Math.clamp(l.sessionIdleTtl().toMillis() / 4, 1000, 30_000);
            vertx.setPeriodic(sweepMillis, id -> sessions.removeExpired());
            config.sessions().persistDir().ifPresent(dir -> restoreSessions(dir, path, e, l));
            defaults = settings;
            modelCreated = served.created();
            turns = new TurnService(sessions, s, l.maxPromptTokens());
            scheduler = s;
            engine = e;
            CacheConfig cache = settings.cache();
            LOG.infof("serving %s as '%s' (trained context %d); loaded in %.1f s, warmed up in %.1f s; cache: %d sinks + %d window, %s policy",
                    path, name, e.contextLength(), (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                    cache.sinks(), cache.window(), cache.policy().name().toLowerCase(Locale.ROOT));
        } catch (RuntimeException ex) {
            loadError = ex.getMessage();
            LOG.errorf("the model could not be loaded: %s", ex.getMessage());
        }
    }

    /** Opens the persist dir and restores its sessions for this model; a folder that cannot be used fails the start. */
    private void restoreSessions(Path dir, Path model, Engine e, SinkserveConfig.Limits l) {
        long t0 = System.nanoTime();
        SessionPersistence p;
        try {
            p = new SessionPersistence(new SnapshotDirectory(dir), ModelIdentity.of(model), e, sessions,
                    new PersistenceMetrics(meterRegistry, SkipReason.labels()), l.kvMemoryBudget() + (64L << 20));
        } catch (IOException ex) {
            throw new IllegalArgumentException("sinkserve.sessions.persist-dir " + dir + " cannot be used: " + ex.getMessage(), ex);
        }
        int restored = p.restore(new Auth(config.api().keys(), config.api().keysFile())::ownerOfHash);
        LOG.infof("sessions: %d restored from %s in %.1f s", restored, dir, (System.nanoTime() - t0) / 1e9);
        persistence = p;
        config.sessions().persistInterval().ifPresent(every -> {
            persistTimer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("sinkserve-persist").factory());
            persistTimer.scheduleWithFixedDelay(() -> p.persist(true), every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /**
     * Writes every session once, after the drain: requests cut by the drain release their sessions on their own
     * threads, so this waits a moment for them; one still busy then is not written (its previous file stays).
     */
    private void persistOnShutdown() throws InterruptedException {
        SessionPersistence p = persistence;
        if (p == null || !persistedOnShutdown.compareAndSet(false, true)) {
            return;
        }
        if (persistTimer != null) {
            persistTimer.shutdownNow();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (sessions.named().stream().anyMatch(Session::busy) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long t0 = System.nanoTime();
        int written = p.persist(false);
        LOG.infof("shutdown: %d of %d sessions written to %s in %.1f s", written, sessions.active(),
                config.sessions().persistDir().orElseThrow(), (System.nanoTime() - t0) / 1e9);
    }

    /** Runs a prompt chunk and a decode step once so the first request does not pay for class loading and JIT. */
    private static void warm(Engine e) {
        try (Sequence seq = e.newSequence(CacheConfig.streaming(4, 28))) {
            int[] prompt = e.encode("Hello");
            e.prefill(seq, prompt);
            e.prefill(seq, new int[] {prompt[prompt.length - 1]});
        }
    }

    private SessionSettings defaultSettings(Engine e) {
        return new SessionSettings(ConfiguredCache.of(config.cache(), e.contextLength()), config.cache().pinSystemPrompt(),
                SamplingParams.defaults(config.limits().maxTokensDefault(), 0), OptionalLong.empty());
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
        persistOnShutdown();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        drain();
        Scheduler s = scheduler;
        if (s != null) {
            s.shutdown(Duration.ZERO);
            persistOnShutdown();
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

    /** When the served model file was written, in Unix seconds. */
    long modelCreated() {
        requireReady();
        return modelCreated;
    }

    SinkserveConfig config() {
        return config;
    }
}
