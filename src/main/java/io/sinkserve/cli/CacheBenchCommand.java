package io.sinkserve.cli;

import io.sinkserve.bench.LatencySegment;
import io.sinkserve.bench.ProcessMemory;
import io.sinkserve.cache.CacheConfig;
import io.sinkserve.generate.Sampler;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.model.CachedSequence;
import io.sinkserve.model.LogitsConsumer;
import io.sinkserve.model.Model;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code cache-bench}: the StreamingLLM cache's cost. Default: decode a very long stream through ONE cache
 * and report latency percentiles and process RSS per segment (both should stay flat). With
 * {@code --speedup}: per-token time of streaming decode vs. the recompute baseline at several cache sizes.
 */
@Command(name = "cache-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmark the StreamingLLM cache.",
                "By default: decode --tokens tokens through one cache, with latency percentiles and RSS per --segment tokens.",
                "With --speedup 256,512,...: per-token time of streaming decode vs. recompute (re-encoding the window) "
                        + "per cache size."})
public final class CacheBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Untimed steps first: many for the cheap streaming step (JIT warm-up), one for the costly recompute. */
    private static final int STREAMING_WARMUP = 32;
    private static final int RECOMPUTE_WARMUP = 1;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    CacheOptions cacheOptions;

    @Option(names = "--tokens", defaultValue = "100000", description = "tokens to stream (default: ${DEFAULT-VALUE})")
    int tokens;

    @Option(names = "--segment", defaultValue = "10000", description = "report every this many tokens (default: ${DEFAULT-VALUE})")
    int segment;

    @Option(names = "--speedup", split = ",", description = "cache sizes for the streaming vs. recompute comparison")
    int[] speedupSizes;

    @Option(names = "--steps", defaultValue = "16", description = "--speedup: timed tokens per size and method (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Override
    public Integer call() {
        try (Model model = modelOptions.load()) {
            if (speedupSizes != null) {
                speedup(model);
            } else {
                stream(model);
            }
        }
        return 0;
    }

    /** Generates (sampled, seeded) for --tokens tokens on one sequence, timing every decode step. */
    private void stream(Model model) {
        CacheConfig config = cacheOptions.toConfig(model.config().contextLength());
        Sampler sampler = new Sampler(SamplingParams.defaults(tokens, seed), model.config().vocab());
        LatencySegment latencies = new LatencySegment(segment);
        out().printf("model %s, cache %d sinks + %d window (%s, %s), %d tokens%n", modelOptions.model.getFileName(),
                config.sinks(), config.window(), config.policy(), config.storage(), tokens);
        out().println("| tokens | p50 ms | p90 ms | p99 ms | max ms | tokens/s | cache tokens | evicted | RSS MiB |");
        out().println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        try (CachedSequence seq = model.newSequence(config)) {
            float[] logits = model.prefill(seq, new int[] {model.tokenizer().bos()});
            int[] next = new int[1];
            List<CachedSequence> batch = List.of(seq);
            int vocab = model.config().vocab();
            LogitsConsumer copyLogits = (i, l, offset) -> System.arraycopy(l, offset, logits, 0, vocab);
            long segmentStart = System.nanoTime();
            for (int i = 1; i <= tokens; i++) {
                long t0 = System.nanoTime();
                next[0] = sampler.sample(logits);
                sampler.accept(next[0]);
                model.decode(batch, next, copyLogits);
                latencies.record(System.nanoTime() - t0);
                if (latencies.isFull() || i == tokens) {
                    double seconds = (System.nanoTime() - segmentStart) / 1e9;
                    out().printf("| %d | %.3f | %.3f | %.3f | %.3f | %.0f | %d | %d | %.1f |%n", i,
                            latencies.percentileMillis(50), latencies.percentileMillis(90), latencies.percentileMillis(99),
                            latencies.percentileMillis(100), latencies.size() / seconds, seq.cache().size(),
                            seq.cache().evictedTokens(), ProcessMemory.rssBytes() / 1048576.0);
                    latencies.clear();
                    segmentStart = System.nanoTime();
                }
            }
        }
    }

    /**
     * For each cache size C: streaming decode with a full cache (4 sinks + C-4 window, one eviction per
     * token) vs. recompute (the last C tokens re-encoded from scratch for every token). Medians of the
     * per-token times, so a preempted step on a busy machine does not skew the ratio.
     */
    private void speedup(Model model) {
        SplittableRandom random = new SplittableRandom(seed);
        int vocab = model.config().vocab();
        out().printf("model %s, median of %d timed tokens per method and size (after %d/%d untimed)%n",
                modelOptions.model.getFileName(), steps, STREAMING_WARMUP, RECOMPUTE_WARMUP);
        out().println("| cache size | streaming ms/token | recompute ms/token | speed-up |");
        out().println("|---:|---:|---:|---:|");
        LatencySegment latencies = new LatencySegment(steps);
        LogitsConsumer ignore = (j, l, offset) -> { };
        for (int size : speedupSizes) {
            int[] history = random.ints(size + steps + STREAMING_WARMUP, 0, vocab).toArray();
            try (CachedSequence seq = model.newSequence(CacheConfig.streaming(4, size - 4))) {
                model.prefill(seq, Arrays.copyOf(history, size));
                int[] next = new int[1];
                List<CachedSequence> batch = List.of(seq);
                for (int i = 0; i < steps + STREAMING_WARMUP; i++) {
                    next[0] = history[size + i];
                    long t0 = System.nanoTime();
                    model.decode(batch, next, ignore);
                    if (i >= STREAMING_WARMUP) {
                        latencies.record(System.nanoTime() - t0);
                    }
                }
            }
            double streaming = latencies.percentileMillis(50);
            latencies.clear();
            try (CachedSequence seq = model.newSequence(CacheConfig.dense(size))) {
                for (int i = 0; i < steps + RECOMPUTE_WARMUP; i++) {
                    int[] window = Arrays.copyOfRange(history, i + 1, i + 1 + size);
                    long t0 = System.nanoTime();
                    seq.reset();
                    model.prefill(seq, window);
                    if (i >= RECOMPUTE_WARMUP) {
                        latencies.record(System.nanoTime() - t0);
                    }
                }
            }
            double recompute = latencies.percentileMillis(50);
            latencies.clear();
            out().printf("| %d | %.3f | %.3f | %.1fx |%n", size, streaming, recompute, recompute / streaming);
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
