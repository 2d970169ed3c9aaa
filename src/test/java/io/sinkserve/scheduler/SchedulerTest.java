package io.sinkserve.scheduler;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.generate.FinishReason;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.metrics.ServiceMetrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerTest {
    private static final CacheConfig CACHE = new CacheConfig(4, 60, EvictionPolicy.TOKEN, 1, KvStorage.F32, 0);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ServiceMetrics metrics = new ServiceMetrics(registry);
    private final FakeEngine engine = new FakeEngine(false);
    private Scheduler scheduler;

    @AfterEach
    void stop() throws Exception {
        engine.gate.release(Integer.MAX_VALUE - engine.gate.availablePermits());
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private Scheduler scheduler(int maxRunning, int maxWaiting, int chunk) {
        scheduler = new Scheduler(engine, new SchedulerLimits(maxRunning, maxWaiting, chunk), metrics);
        return scheduler;
    }

    private static SamplingParams sampled(long seed, int maxTokens) {
        return SamplingParams.defaults(maxTokens, seed);
    }

    private CollectingListener run(Scheduler s, String prompt, SamplingParams params) {
        CollectingListener l = new CollectingListener();
        s.submit(new Generation(engine.newSequence(CACHE), engine.encode(prompt), params, l));
        return l;
    }

    @Test
    void generatesUpToTheTokenBudgetAndReportsCounts() throws Exception {
        Scheduler s = scheduler(4, 4, 8);
        CollectingListener l = run(s, "once upon a time", SamplingParams.greedy(12));
        GenerationResult r = l.await();
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(17, r.prefilledTokens());
        assertEquals(12, r.generatedTokens());
        assertEquals(12, l.text.length());
        assertEquals(12, registry.get("sinkserve.generated.tokens").counter().count());
        assertEquals(17, registry.get("sinkserve.prompt.tokens").counter().count());
        assertEquals(1, registry.get("sinkserve.time.to.first.token").timer().count());
    }

    @Test
    void stopsAtEndOfGenerationWithoutEmittingIt() throws Exception {
        FakeEngine eos = new FakeEngine(true);
        scheduler = new Scheduler(eos, new SchedulerLimits(4, 4, 8), metrics);
        int stopped = 0;
        for (int i = 0; i < 20; i++) {
            CollectingListener l = new CollectingListener();
            scheduler.submit(new Generation(eos.newSequence(CACHE), eos.encode("story " + i), SamplingParams.greedy(200), l));
            GenerationResult r = l.await();
            assertEquals(r.generatedTokens(), l.text.length(), "one character per generated token, EOS excluded");
            if (r.finishReason() == FinishReason.STOP) {
                stopped++;
            }
        }
        assertTrue(stopped > 0, "the fake engine emits EOS for some prompts");
    }

    @Test
    void stopStringEndsTheTextBeforeIt() throws Exception {
        Scheduler s = scheduler(2, 2, 8);
        CollectingListener reference = run(s, "hello", SamplingParams.greedy(30));
        reference.await();
        String text = reference.text.toString();
        String stop = text.substring(10, 12);
        int cut = text.indexOf(stop);
        SamplingParams withStop = SamplingParams.greedy(30).withStop(List.of(stop));
        CollectingListener l = run(s, "hello", withStop);
        assertEquals(FinishReason.STOP, l.await().finishReason());
        assertEquals(text.substring(0, cut), l.text.toString());
    }

    @Test
    void concurrentGenerationsShareDecodeStepsAndMatchSoloRuns() throws Exception {
        Scheduler s = scheduler(4, 4, 64);
        List<String> solo = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CollectingListener l = run(s, "prompt number " + i, sampled(100 + i, 20));
            l.await();
            solo.add(l.text.toString());
        }
        engine.calls.clear();
        engine.gate.drainPermits();
        List<CollectingListener> together = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            together.add(run(s, "prompt number " + i, sampled(100 + i, 20)));
        }
        engine.gate.release(Integer.MAX_VALUE);
        for (int i = 0; i < 4; i++) {
            together.get(i).await();
            assertEquals(solo.get(i), together.get(i).text.toString());
        }
        assertTrue(engine.calls.contains("decode:4"), "all four advanced in one batched step: " + engine.calls);
        long decodeCalls = engine.calls.stream().filter(c -> c.contains("decode")).count();
        assertTrue(decodeCalls < 4 * 19, "fewer decode calls than one per token: " + decodeCalls);
    }

    @Test
    void aPausedStreamIsNotAdvancedAndResumesWhereItStopped() throws Exception {
        Scheduler s = scheduler(2, 2, 8);
        CollectingListener reference = run(s, "paused story", SamplingParams.greedy(30));
        reference.await();
        AtomicReference<Generation> self = new AtomicReference<>();
        CountDownLatch paused = new CountDownLatch(1);
        CollectingListener l = new CollectingListener() {
            @Override
            public void onText(String t) {
                super.onText(t);
                if (text.length() == 5) {
                    self.get().pause();
                    paused.countDown();
                }
            }
        };
        Generation g = new Generation(engine.newSequence(CACHE), engine.encode("paused story"), SamplingParams.greedy(30), l);
        self.set(g);
        s.submit(g);
        assertTrue(paused.await(10, TimeUnit.SECONDS));
        int calls = engine.calls.size();
        Thread.sleep(200);
        assertEquals(calls, engine.calls.size(), "no forward pass while paused: " + engine.calls.subList(calls, engine.calls.size()));
        assertEquals(5, l.text.length());
        g.resume();
        GenerationResult r = l.await();
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(reference.text.toString(), l.text.toString());
    }

    @Test
    void aStreamPausedLongerThanTheStallTimeoutIsCancelledAndCounted() throws Exception {
        scheduler = new Scheduler(engine, new SchedulerLimits(2, 2, 8, Duration.ofMillis(100)), metrics);
        AtomicReference<Generation> self = new AtomicReference<>();
        CollectingListener l = new CollectingListener() {
            @Override
            public void onFirstToken() {
                self.get().pause();
            }
        };
        Generation g = new Generation(engine.newSequence(CACHE), engine.encode("never read"), SamplingParams.greedy(1000), l);
        self.set(g);
        scheduler.submit(g);
        GenerationResult r = l.await();
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(CancelCause.STALLED, r.cancelCause());
        assertTrue(r.generatedTokens() <= 1, "nothing was generated while paused: " + r.generatedTokens());
        assertEquals(1, registry.get("sinkserve.streams.stalled").counter().count());
        assertEquals(0, scheduler.running());
    }

    @Test
    void aQueuedGenerationCancelledLeavesTheQueueAtOnce() throws Exception {
        Scheduler s = scheduler(1, 2, 8);
        engine.gate.drainPermits();
        CollectingListener running = run(s, "running", SamplingParams.greedy(5));
        while (s.running() == 0) {
            Thread.sleep(1);
        }
        CollectingListener queuedListener = new CollectingListener();
        Generation queued = new Generation(engine.newSequence(CACHE), engine.encode("queued"), SamplingParams.greedy(5),
                queuedListener);
        s.submit(queued);
        assertEquals(1, s.waiting());
        queued.cancel(CancelCause.CLIENT);
        assertEquals(0, s.waiting(), "gone from the queue while the engine is still held");
        assertEquals(FinishReason.CANCELLED, queuedListener.await().finishReason());
        engine.gate.release(Integer.MAX_VALUE);
        assertEquals(FinishReason.LENGTH, running.await().finishReason());
    }

    @Test
    void aListenerThatThrowsFailsOnlyItsGenerationAndTheWorkerGoesOn() throws Exception {
        Scheduler s = scheduler(2, 2, 8);
        CollectingListener broken = new CollectingListener() {
            @Override
            public void onText(String t) {
                throw new IllegalStateException("listener broke");
            }
        };
        s.submit(new Generation(engine.newSequence(CACHE), engine.encode("broken"), SamplingParams.greedy(5), broken));
        Exception e = assertThrows(Exception.class, broken::await);
        assertTrue(e.getCause().getMessage().contains("listener broke"), e.toString());
        CollectingListener next = run(s, "next", SamplingParams.greedy(5));
        assertEquals(FinishReason.LENGTH, next.await().finishReason());
    }

    @Test
    void longPromptIsPrefilledInChunksThatShareTheirPassWithTheDecodeRows() throws Exception {
        Scheduler s = scheduler(2, 2, 8);
        engine.gate.drainPermits();
        CollectingListener streaming = run(s, "hi", SamplingParams.greedy(40));
        CollectingListener longPrompt = run(s, "x".repeat(79), SamplingParams.greedy(2));
        engine.gate.release(Integer.MAX_VALUE);
        streaming.await();
        longPrompt.await();
        List<String> calls = engine.calls;
        // 80 prompt tokens in chunks of 8, each in one forward pass with the other stream's decode row
        assertEquals(10, calls.stream().filter("prefill:8+decode:1"::equals).count(), calls.toString());
        assertFalse(calls.contains("prefill:8"), "no chunk runs in a pass of its own: " + calls);
    }

    @Test
    void rejectsBeyondRunningPlusWaitingAndFreesSlotsAfterwards() throws Exception {
        Scheduler s = scheduler(1, 1, 8);
        engine.gate.drainPermits();
        CollectingListener a = run(s, "a", SamplingParams.greedy(3));
        CollectingListener b = run(s, "b", SamplingParams.greedy(3));
        SchedulerRejectedException e = assertThrows(SchedulerRejectedException.class,
                () -> run(s, "c", SamplingParams.greedy(3)));
        assertEquals(SchedulerRejectedException.Reason.OVERLOADED, e.reason());
        engine.gate.release(Integer.MAX_VALUE);
        a.await();
        b.await();
        assertEquals(3, run(s, "c", SamplingParams.greedy(3)).await().generatedTokens());
    }

    @Test
    void cancelledGenerationEndsAtTheNextStep() throws Exception {
        Scheduler s = scheduler(2, 2, 8);
        CollectingListener l = new CollectingListener();
        Generation g = new Generation(engine.newSequence(CACHE), engine.encode("abc"), SamplingParams.greedy(100_000), l);
        s.submit(g);
        while (l.text.length() < 5) {
            Thread.onSpinWait();
        }
        g.cancel(CancelCause.CLIENT);
        GenerationResult r = l.await();
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(CancelCause.CLIENT, r.cancelCause());
        assertTrue(r.generatedTokens() < 100_000);
        assertEquals(1, registry.get("sinkserve.requests.cancelled").counter().count());
        assertEquals(0, s.running());
    }

    @Test
    void shutdownRejectsNewWorkAndCutsWhatOutlivesTheGracePeriod() throws Exception {
        Scheduler s = scheduler(2, 2, 8);
        CollectingListener endless = run(s, "abc", SamplingParams.greedy(1_000_000));
        while (endless.text.length() == 0) {
            Thread.onSpinWait();
        }
        assertFalse(s.shutdown(Duration.ofMillis(50)));
        GenerationResult r = endless.await();
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(CancelCause.SHUTDOWN, r.cancelCause());
        SchedulerRejectedException e = assertThrows(SchedulerRejectedException.class,
                () -> run(s, "late", SamplingParams.greedy(3)));
        assertEquals(SchedulerRejectedException.Reason.SHUTTING_DOWN, e.reason());
    }

    @Test
    void shutdownLetsShortGenerationsFinish() throws Exception {
        Scheduler s = scheduler(2, 2, 8);
        CollectingListener l = run(s, "abc", SamplingParams.greedy(5));
        assertTrue(s.shutdown(Duration.ofSeconds(30)));
        assertEquals(FinishReason.LENGTH, l.await().finishReason());
    }
}
