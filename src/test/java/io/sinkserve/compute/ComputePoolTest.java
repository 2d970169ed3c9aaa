package io.sinkserve.compute;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComputePoolTest {

    /** Many small jobs back to back (as in decode): every index exactly once, on a valid worker. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void everyIndexRunsExactlyOnce(int threads) {
        try (ComputePool pool = new ComputePool(threads)) {
            assertEquals(threads, pool.threads());
            for (int job = 0; job < 2000; job++) {
                int n = 1 + job % 97;
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                pool.run(n, 1 + job % 5, (from, to, worker) -> {
                    assertTrue(worker >= 0 && worker < threads, "worker " + worker);
                    for (int i = from; i < to; i++) {
                        seen.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, seen.get(i), "job " + job + " index " + i);
                }
            }
        }
    }

    @Test
    void workersReallyShareTheWork() throws Exception {
        try (ComputePool pool = new ComputePool(2)) {
            CountDownLatch both = new CountDownLatch(2);
            AtomicIntegerArray byWorker = new AtomicIntegerArray(2);
            // each of the two chunks waits for the other: only two threads at once can finish this job
            pool.run(2, 1, (from, to, worker) -> {
                byWorker.incrementAndGet(worker);
                both.countDown();
                try {
                    assertTrue(both.await(10, java.util.concurrent.TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(1, byWorker.get(0));
            assertEquals(1, byWorker.get(1));
        }
    }

    @Test
    void aFailingTaskPropagatesAndThePoolStaysUsable() {
        try (ComputePool pool = new ComputePool(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.run(100, 1, (from, to, worker) -> {
                        if (from == 57) {
                            throw boom;
                        }
                    }));
            assertSame(boom, e);
            AtomicLong sum = new AtomicLong();
            pool.run(100, 7, (from, to, worker) -> {
                for (int i = from; i < to; i++) {
                    sum.addAndGet(i);
                }
            });
            assertEquals(4950, sum.get());
        }
    }

    @Test
    void nestedAndConcurrentCallersAreSafe() throws Exception {
        try (ComputePool pool = new ComputePool(2)) {
            AtomicLong total = new AtomicLong();
            Runnable job = () -> {
                for (int k = 0; k < 200; k++) {
                    pool.run(10, 1, (from, to, worker) -> pool.run(10, 2, (f2, t2, w2) -> total.addAndGet(t2 - f2)));
                }
            };
            Thread other = new Thread(job);
            other.start();
            job.run();
            other.join();
            assertEquals(2L * 200 * 10 * 10, total.get());
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new ComputePool(0));
        try (ComputePool pool = new ComputePool(1)) {
            assertThrows(IllegalArgumentException.class, () -> pool.run(10, 0, (f, t, w) -> { }));
        }
    }
}
