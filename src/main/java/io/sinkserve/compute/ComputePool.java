package io.sinkserve.compute;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Persistent worker threads that split an index range [0, n) into chunks. Decode calls this hundreds of
 * times per token, so a job costs no allocation and no task queue: the caller publishes the job in a few
 * fields, idle workers spin briefly (then park) waiting for it, everyone claims chunks from one atomic
 * counter, and the caller works too before waiting for the last chunk.
 *
 * <p>One job runs at a time; other callers wait. A task that calls {@link #run} again runs that inner job
 * inline on its own thread.
 */
public final class ComputePool implements AutoCloseable {

    /** A slice of a job: indices [from, to) on worker {@code worker} (0 = the calling thread). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to, int worker);
    }

    /** How long an idle worker spins before parking: long enough to cover the gaps between the matmuls of a token. */
    private static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    /** High 32 bits: job generation; low 32 bits: next unclaimed index of that job. */
    private final AtomicLong state = new AtomicLong();
    private final AtomicInteger finishedChunks = new AtomicInteger();
    private volatile RangeTask task;
    private volatile int limit;
    private volatile int grain;
    private volatile Throwable failure;
    private volatile boolean closed;

    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** One thread per available core. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task} over [0, n) in chunks of {@code grain} indices and returns when every chunk is done. */
    public void run(int n, int grain, RangeTask task) {
        if (grain < 1) {
            throw new IllegalArgumentException("grain must be at least 1, got " + grain);
        }
        if (n <= 0) {
            return;
        }
        if (workers.length == 0 || n <= grain || lock.isHeldByCurrentThread()
                || Thread.currentThread() instanceof Worker w && w.pool() == this) {
            task.run(0, n, 0);
            return;
        }
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("compute pool is closed");
            }
            runShared(n, grain, task);
        } finally {
            lock.unlock();
        }
    }

    private void runShared(int n, int grain, RangeTask task) {
        int chunks = (int) (((long) n + grain - 1) / grain);
        // Close the claim counter before touching the job fields, so that no late worker can claim a chunk
        // while they are half written.
        long generation = (state.get() >>> 32) + 1;
        state.set(generation << 32 | Integer.MAX_VALUE);
        this.task = task;
        this.limit = n;
        this.grain = grain;
        this.failure = null;
        finishedChunks.set(0);
        state.set(generation << 32);
        for (Worker w : workers) {
            if (w.parked) {
                LockSupport.unpark(w);
            }
        }
        work(0);
        while (finishedChunks.get() < chunks) {
            Thread.onSpinWait();
        }
        this.task = null;
        Throwable t = failure;
        if (t != null) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
    }

    /** Claims and runs chunks of the current job until none is left. */
    private void work(int worker) {
        while (true) {
            long s = state.get();
            // Read the job after the state: a successful claim below proves these belong to s's generation,
            // since the caller only rewrites them after every chunk was claimed and the counter was closed.
            RangeTask t = task;
            int n = limit;
            int g = grain;
            long from = s & 0xFFFF_FFFFL;
            if (t == null || from >= n) {
                return;
            }
            if (!state.compareAndSet(s, s + g)) {
                continue;
            }
            try {
                t.run((int) from, (int) Math.min(n, from + g), worker);
            } catch (Throwable e) {
                failure = e;
            } finally {
                finishedChunks.incrementAndGet();
            }
        }
    }

    private boolean hasWork() {
        RangeTask t = task;
        return t != null && (state.get() & 0xFFFF_FFFFL) < limit;
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    private final class Worker extends Thread {
        volatile boolean parked;

        private final int index;

        Worker(int index) {
            super("sinkserve-compute-" + index);
            setDaemon(true);
            this.index = index;
        }

        ComputePool pool() {
            return ComputePool.this;
        }

        @Override
        public void run() {
            while (!closed) {
                work(index);
                long idleSince = System.nanoTime();
                while (!closed && !hasWork()) {
                    if (System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (!closed && !hasWork()) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
            }
        }
    }
}
