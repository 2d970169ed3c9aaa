package io.sinkserve.scheduler;

import io.sinkserve.generate.FinishReason;
import io.sinkserve.metrics.ServiceMetrics;
import io.sinkserve.model.Engine;
import io.sinkserve.model.StepBatch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching on one worker thread. Each step is one forward pass ({@link Engine#step}) over one
 * prompt chunk of one prefilling generation (so a long prompt delays the others by a chunk, not by the
 * whole prompt; prefilling generations take turns) and one decode row per decoding generation, so every
 * weight is read once per step. Generations join and leave the batch between steps; beyond
 * {@code maxRunning} they wait in a bounded queue, beyond that they are rejected.
 */
public final class Scheduler implements AutoCloseable {
    private static final long THROUGHPUT_WINDOW_NANOS = 500_000_000L;

    private final Engine engine;
    private final SchedulerLimits limits;
    private final ServiceMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Generation> waiting = new ArrayDeque<>();
    private final List<Generation> running = new ArrayList<>();
    private final Thread worker;   // null for runAlone
    private boolean accepting = true;
    private boolean stopped;

    // worker-thread state, reused every step
    private final StepBatch batch = new StepBatch();
    private final List<Generation> batchOwners = new ArrayList<>();   // group i of the batch is batchOwners[i]'s
    private final int[] decodeTokens;
    private int prefillTurn;
    private long throughputTokens;
    private long throughputNanos;

    public Scheduler(Engine engine, SchedulerLimits limits, ServiceMetrics metrics) {
        this(engine, limits, metrics, true);
    }

    private Scheduler(Engine engine, SchedulerLimits limits, ServiceMetrics metrics, boolean startWorker) {
        this.engine = engine;
        this.limits = limits;
        this.metrics = metrics;
        this.decodeTokens = new int[limits.maxRunning()];
        // runAlone steps on its caller's thread and needs no worker
        this.worker = startWorker ? Thread.ofPlatform().name("sinkserve-scheduler").daemon().start(this::loop) : null;
    }

    /**
     * Runs one generation to its end on the calling thread, through the steps the worker thread takes (the
     * same chunks, passes and sampling), so it gives the text the server gives for the same request and seed.
     * The CLI's {@code generate}; the listener hears everything, as it would from a running server.
     */
    public static void runAlone(Engine engine, int prefillChunk, Generation generation) {
        Scheduler s = new Scheduler(engine, new SchedulerLimits(1, 0, prefillChunk),
                new ServiceMetrics(new SimpleMeterRegistry()), false);
        s.submit(generation);
        s.lock.lock();
        try {
            s.admitWaiting();
        } finally {
            s.lock.unlock();
        }
        while (!s.running.isEmpty()) {
            s.step();
        }
    }

    /** Queues a generation; throws {@link SchedulerRejectedException} when full or shutting down. */
    public void submit(Generation generation) {
        lock.lock();
        try {
            if (!accepting) {
                throw new SchedulerRejectedException(SchedulerRejectedException.Reason.SHUTTING_DOWN,
                        "the server is shutting down");
            }
            if (running.size() + waiting.size() >= limits.maxRunning() + limits.maxWaiting()) {
                throw new SchedulerRejectedException(SchedulerRejectedException.Reason.OVERLOADED,
                        "too many concurrent requests (" + limits.maxRunning() + " running, " + limits.maxWaiting()
                                + " waiting); retry shortly");
            }
            generation.submitted(this, engine, System.nanoTime());
            waiting.add(generation);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A generation was cancelled: one still queued leaves the queue at once (its client is gone, its slot is free). */
    void cancelled(Generation g) {
        boolean dequeued;
        lock.lock();
        try {
            dequeued = waiting.remove(g);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (dequeued) {
            metrics.cancelled();
            long now = System.nanoTime();
            deliverFinish(g, g.result(FinishReason.CANCELLED, now));
        }
    }

    /** Something a waiting worker should look at (a paused stream resumed). */
    void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public int running() {
        lock.lock();
        try {
            return running.size();
        } finally {
            lock.unlock();
        }
    }

    public int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops accepting, lets running and queued generations finish for up to {@code grace}, then cancels what
     * is left (their listeners get a {@link CancelCause#SHUTDOWN} result) and stops the worker.
     * Returns true when everything finished within the grace period.
     */
    public boolean shutdown(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        lock.lock();
        try {
            accepting = false;
            changed.signalAll();
            boolean drained = true;
            while (!running.isEmpty() || !waiting.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    drained = false;
                    running.forEach(g -> g.cancel(CancelCause.SHUTDOWN));
                    waiting.forEach(g -> g.cancel(CancelCause.SHUTDOWN));
                    break;
                }
                changed.awaitNanos(left);
            }
            while (!running.isEmpty() || !waiting.isEmpty()) {
                changed.await(1, TimeUnit.SECONDS);
            }
            stopped = true;
            changed.signalAll();
            return drained;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws InterruptedException {
        shutdown(Duration.ZERO);
        if (worker != null) {
            worker.join();
        }
    }

    private void loop() {
        while (true) {
            lock.lock();
            try {
                admitWaiting();
                if (running.isEmpty()) {
                    if (stopped) {
                        return;
                    }
                    changed.awaitUninterruptibly();
                    continue;
                }
                long idle = nanosUntilWork();
                if (idle > 0) {
                    changed.awaitNanos(idle);
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            step();
        }
    }

    /** Moves queued generations into the batch while it has room; call holding the lock. */
    private void admitWaiting() {
        while (running.size() < limits.maxRunning() && !waiting.isEmpty()) {
            Generation g = waiting.poll();
            g.admitted(System.nanoTime());
            running.add(g);
        }
    }

    /**
     * 0 when some running generation can advance or must be ended now; else (every one paused by its client)
     * how long until the first of them reaches the stall timeout.
     */
    private long nanosUntilWork() {
        long now = System.nanoTime();
        long wait = Long.MAX_VALUE;
        for (Generation g : running) {
            long paused = g.pausedSince();
            if (paused == 0 || g.cancelCause() != null) {
                return 0;
            }
            wait = Math.min(wait, paused + limits.stallTimeout().toNanos() - now);
        }
        return Math.max(0, wait);
    }

    private void step() {
        long now = System.nanoTime();
        for (int i = running.size() - 1; i >= 0; i--) {
            Generation g = running.get(i);
            long paused = g.pausedSince();
            if (g.cancelCause() == null && paused != 0 && now - paused >= limits.stallTimeout().toNanos()) {
                metrics.streamStalled();
                g.cancel(CancelCause.STALLED);
            }
            if (g.cancelCause() != null) {
                metrics.cancelled();
                finish(g, FinishReason.CANCELLED);
            }
        }
        runStep();
    }

    private static boolean ready(Generation g) {
        return g.pausedSince() == 0;
    }

    /** One forward pass: the next prompt chunk of one prefilling generation (round-robin) and every decode row. */
    private void runStep() {
        batch.clear();
        batchOwners.clear();
        Generation prefilling = nextPrefilling();
        int chunkTokens = 0;
        if (prefilling != null) {
            int[] chunk = prefilling.nextChunk(limits.prefillChunk());
            chunkTokens = chunk.length;
            batch.add(prefilling.sequence(), chunk, 0, chunk.length, !prefilling.prefilling());
            batchOwners.add(prefilling);
        }
        int decodeRows = 0;
        for (Generation g : running) {
            if (g != prefilling && !g.prefilling() && g.pendingToken() >= 0 && ready(g)) {
                decodeTokens[decodeRows] = g.pendingToken();
                batch.add(g.sequence(), decodeTokens, decodeRows++, 1, true);
                batchOwners.add(g);
            }
        }
        if (batchOwners.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        try {
            engine.step(batch);
        } catch (RuntimeException | OutOfMemoryError e) {
            // every sequence in the pass may hold part of it: each generation fails and its turn rolls back
            for (Generation g : List.copyOf(batchOwners)) {
                fail(g, e);
            }
            return;
        }
        long now = System.nanoTime();
        if (chunkTokens > 0) {
            metrics.promptTokens(chunkTokens);
        }
        for (int i = 0; i < batchOwners.size(); i++) {
            Generation g = batchOwners.get(i);
            if (!batch.wantsLogits(i)) {
                continue;
            }
            if (g != prefilling) {
                metrics.interTokenLatency(now - g.lastTokenAt());
            }
            try {
                sample(g, batch.logits(i), now);
            } catch (RuntimeException | OutOfMemoryError e) {
                fail(g, e);
            }
        }
        if (decodeRows > 0) {
            recordThroughput(decodeRows, now - start);
        }
    }

    /** The next ready generation still prefilling, taking turns; null when there is none. */
    private Generation nextPrefilling() {
        int n = running.size();
        for (int i = 0; i < n; i++) {
            Generation g = running.get((prefillTurn + i) % n);
            if (g.prefilling() && ready(g)) {
                prefillTurn = (prefillTurn + i + 1) % n;
                return g;
            }
        }
        return null;
    }

    private void sample(Generation g, float[] logits, long now) {
        boolean first = g.firstTokenAt() == 0;
        int before = g.generated();
        FinishReason reason = g.sample(logits, engine, now);
        if (first) {
            metrics.timeToFirstToken(g.firstTokenAt() - g.submittedAt());
        }
        if (g.generated() > before) {
            metrics.generatedToken();
        }
        if (reason != null) {
            finish(g, reason);
        }
    }

    private void recordThroughput(int tokens, long nanos) {
        throughputTokens += tokens;
        throughputNanos += nanos;
        if (throughputNanos >= THROUGHPUT_WINDOW_NANOS || running.isEmpty()) {
            metrics.decodeThroughput(throughputTokens * 1e9 / throughputNanos);
            throughputTokens = 0;
            throughputNanos = 0;
        }
    }

    private void finish(Generation g, FinishReason reason) {
        try {
            if (reason != FinishReason.CANCELLED) {
                g.flush();
            }
        } catch (RuntimeException e) {
            fail(g, e);
            return;
        }
        long now = System.nanoTime();
        GenerationResult result = g.result(reason, now);
        metrics.requestDuration(result.durationNanos());
        remove(g);
        deliverFinish(g, result);
    }

    /** A listener that fails while finishing is told so, so whatever it holds (a session) is still let go. */
    private static void deliverFinish(Generation g, GenerationResult result) {
        try {
            g.listener().onFinish(result);
        } catch (RuntimeException e) {
            g.listener().onError(e);
        }
    }

    private void fail(Generation g, Throwable e) {
        remove(g);
        g.listener().onError(e instanceof RuntimeException r ? r : new GenerationFailedException(e));
    }

    private void remove(Generation g) {
        lock.lock();
        try {
            running.remove(g);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
