package io.sinkserve.session;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.generate.TokenControls;
import io.sinkserve.metrics.ServiceMetrics;
import io.sinkserve.model.Engine;
import io.sinkserve.model.ModelEngine;
import io.sinkserve.model.Sequence;
import io.sinkserve.model.StepBatch;
import io.sinkserve.model.TextDecoder;
import io.sinkserve.scheduler.GenerationListener;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.scheduler.Scheduler;
import io.sinkserve.scheduler.SchedulerLimits;
import io.sinkserve.testing.TestFiles;
import io.sinkserve.tokenizer.ChatMessage;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Turns on the real model through the real scheduler, with forward passes that can be made to fail on purpose. */
class TurnServiceTest {
    // a small window, so the failed turn's tokens evict entries the rollback must bring back
    private static final SessionSettings SETTINGS = new SessionSettings(CacheConfig.streaming(4, 40), false,
            SamplingParams.greedy(16), OptionalLong.empty());

    private static ModelEngine model;
    private static FailingEngine engine;
    private static Scheduler scheduler;
    private static SessionRegistry registry;
    private static TurnService turns;

    @BeforeAll
    static void start() {
        model = ModelEngine.load(TestFiles.stories260K(), "stories260K", 1);
        engine = new FailingEngine(model);
        ServiceMetrics metrics = new ServiceMetrics(new SimpleMeterRegistry());
        scheduler = new Scheduler(engine, new SchedulerLimits(4, 4, 16), metrics);
        registry = new SessionRegistry(engine, new SessionLimits(16, Duration.ofMinutes(10), Long.MAX_VALUE), metrics,
                System::nanoTime);
        turns = new TurnService(registry, scheduler, 8192);
    }

    @AfterAll
    static void stop() throws Exception {
        scheduler.close();
        model.close();
    }

    record Outcome(String text, TurnPlan plan, RuntimeException error) {
    }

    private static Outcome run(String session, List<ChatMessage> messages, long seed) throws Exception {
        int[] prompt = engine.renderChat(messages, true);
        CompletableFuture<RuntimeException> done = new CompletableFuture<>();
        StringBuilder text = new StringBuilder();
        GenerationListener wire = new GenerationListener() {
            @Override
            public void onText(String t) {
                text.append(t);
            }

            @Override
            public void onFinish(GenerationResult result) {
                done.complete(null);
            }

            @Override
            public void onError(RuntimeException error) {
                done.complete(error);
            }
        };
        Turn turn = turns.start("chat", SessionTarget.named(session, "", SETTINGS),
                s -> new TurnPrompt(prompt, 0, FollowUp.chat(engine, messages, prompt), "messages", reply -> { }),
                SamplingParams.defaults(24, seed), TokenControls.NONE, t -> wire);
        RuntimeException error = done.get(60, TimeUnit.SECONDS);
        return new Outcome(text.toString(), turn.plan(), error);
    }

    private static List<ChatMessage> with(List<ChatMessage> m, ChatMessage... more) {
        List<ChatMessage> all = new ArrayList<>(m);
        all.addAll(List.of(more));
        return all;
    }

    /** 0: the first prefill chunk of the turn fails; 1: its second; 3, 10: a decode step mid-reply fails. */
    @ParameterizedTest
    @ValueSource(strings = {"prefill:0", "prefill:1", "decode:3", "decode:10"})
    void aForwardPassThatFailsMidTurnLeavesTheSessionAsBeforeTheTurn(String failure) throws Exception {
        String control = "control-" + failure;
        String failing = "failing-" + failure;
        List<ChatMessage> first = List.of(new ChatMessage("user", "Once upon a time there was a little girl"));
        Outcome a1 = run(control, first, 3);
        assertEquals(a1.text(), run(failing, first, 3).text());
        List<ChatMessage> second = with(first, new ChatMessage("assistant", a1.text()),
                new ChatMessage("user", "She went to the park and saw a big dog. What did she do then?"));
        Outcome a2 = run(control, second, 4);
        CacheStatsView before = CacheStatsView.of(registry.find(failing, "").orElseThrow());

        String[] at = failure.split(":");
        engine.failAt(at[0], Integer.parseInt(at[1]));
        Outcome failed = run(failing, second, 4);
        assertNotNull(failed.error(), "the injected failure reached the listener");
        assertTrue(failed.error().getMessage().contains("injected"), failed.error().toString());
        Session s = registry.find(failing, "").orElseThrow();
        assertFalse(s.busy(), "a failed turn releases its session");
        assertEquals(before, CacheStatsView.of(s), "the sequence is rolled back to where the turn started");

        Outcome b2 = run(failing, second, 4);
        assertEquals(a2.text(), b2.text(), "the retried turn gives what an undisturbed session gave");
        assertEquals(a2.plan().cachedTokens(), b2.plan().cachedTokens());
        assertTrue(b2.plan().cachedTokens() > 0);
        assertFalse(b2.plan().rebuilt());
        assertEquals(0, s.rebuilds());
    }

    /** What a session's cache looks like from outside, for before/after comparisons. */
    record CacheStatsView(long tokensSeen, int size, long evictions, long requests) {
        static CacheStatsView of(Session s) {
            return new CacheStatsView(s.cacheStats().tokensSeen(), s.cacheStats().size(), s.cacheStats().evictions(),
                    s.requests());
        }
    }

    /** The real engine, except that the n-th step with a prompt chunk ("prefill") or without ("decode") after {@link #failAt} throws once. */
    static final class FailingEngine implements Engine {
        private final Engine real;
        private volatile String kind = "";
        private final AtomicInteger countdown = new AtomicInteger(-1);

        FailingEngine(Engine real) {
            this.real = real;
        }

        void failAt(String kind, int n) {
            this.kind = kind;
            countdown.set(n);
        }

        private void maybeFail(String call) {
            if (call.equals(kind) && countdown.getAndDecrement() == 0) {
                kind = "";
                throw new IllegalStateException("injected " + call + " failure");
            }
        }

        /** A step with a prompt chunk of several tokens counts as "prefill", one of single-token rows as "decode". */
        @Override
        public void step(StepBatch batch) {
            boolean chunk = false;
            for (int g = 0; g < batch.groups(); g++) {
                chunk |= batch.count(g) > 1;
            }
            maybeFail(chunk ? "prefill" : "decode");
            real.step(batch);
        }

        @Override
        public String modelName() {
            return real.modelName();
        }

        @Override
        public int vocabSize() {
            return real.vocabSize();
        }

        @Override
        public int contextLength() {
            return real.contextLength();
        }

        @Override
        public int[] renderChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
            return real.renderChat(messages, addGenerationPrompt);
        }

        @Override
        public int[] encode(String text) {
            return real.encode(text);
        }

        @Override
        public Sequence newSequence(CacheConfig config) {
            return real.newSequence(config);
        }

        @Override
        public TextDecoder newDecoder() {
            return real.newDecoder();
        }

        @Override
        public Sequence readSequence(java.io.InputStream in) throws java.io.IOException {
            return real.readSequence(in);
        }

        @Override
        public byte[] tokenBytes(int token) {
            return real.tokenBytes(token);
        }

        @Override
        public io.sinkserve.generate.TokenMask jsonMask(io.sinkserve.generate.json.JsonGrammar grammar) {
            return real.jsonMask(grammar);
        }

        @Override
        public boolean isEndOfGeneration(int token) {
            return real.isEndOfGeneration(token);
        }

        @Override
        public void close() {
        }
    }
}
