package io.sinkserve.bench;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.metrics.ServiceMetrics;
import io.sinkserve.model.Engine;
import io.sinkserve.model.Sequence;
import io.sinkserve.scheduler.Generation;
import io.sinkserve.scheduler.GenerationListener;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.scheduler.Scheduler;
import io.sinkserve.scheduler.SchedulerLimits;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Many concurrent streams through the service's scheduler (no HTTP): all submitted at once, decoded either
 * together (continuous batching, {@code maxRunning = streams}) or one at a time ({@code maxRunning = 1}).
 * Reports aggregate generated tokens per second and time to first token, queueing included.
 */
public final class ConcurrencyBench {
    public record Result(int streams, boolean batched, int generatedTokens, double seconds, double tokensPerSecond,
                         double ttftMeanMs, double ttftMaxMs) {
    }

    private ConcurrencyBench() {
    }

    public static Result run(Engine engine, int streams, boolean batched, int promptTokens, int generateTokens) throws Exception {
        SchedulerLimits limits = new SchedulerLimits(batched ? streams : 1, streams, 64);
        List<Sequence> sequences = new ArrayList<>();
        List<CompletableFuture<GenerationResult>> results = new ArrayList<>();
        try (Scheduler scheduler = new Scheduler(engine, limits, new ServiceMetrics(new SimpleMeterRegistry()))) {
            long start = System.nanoTime();
            for (int i = 0; i < streams; i++) {
                Sequence seq = engine.newSequence(CacheConfig.streaming(4, promptTokens + generateTokens + 4));
                sequences.add(seq);
                CompletableFuture<GenerationResult> done = new CompletableFuture<>();
                results.add(done);
                scheduler.submit(new Generation(seq, prompt(engine, i, promptTokens),
                        SamplingParams.defaults(generateTokens, i), listener(done)));
            }
            int generated = 0;
            double[] ttft = new double[streams];
            for (int i = 0; i < streams; i++) {
                GenerationResult r = results.get(i).get();
                generated += r.generatedTokens();
                ttft[i] = r.timeToFirstTokenNanos() / 1e6;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(streams, batched, generated, seconds, generated / seconds,
                    Arrays.stream(ttft).average().orElse(0), Arrays.stream(ttft).max().orElse(0));
        } finally {
            sequences.forEach(Sequence::close);
        }
    }

    /** A prompt of exactly {@code n} tokens, different per stream. */
    private static int[] prompt(Engine engine, int stream, int n) {
        StringBuilder text = new StringBuilder("Story " + stream + ":");
        int[] tokens = engine.encode(text.toString());
        while (tokens.length < n) {
            text.append(" Once upon a time there was a little dog who liked to play in the park.");
            tokens = engine.encode(text.toString());
        }
        return Arrays.copyOf(tokens, n);
    }

    private static GenerationListener listener(CompletableFuture<GenerationResult> done) {
        return new GenerationListener() {
            @Override
            public void onText(String text) {
            }

            @Override
            public void onFinish(GenerationResult result) {
                done.complete(result);
            }

            @Override
            public void onError(RuntimeException error) {
                done.completeExceptionally(error);
            }
        };
    }
}
