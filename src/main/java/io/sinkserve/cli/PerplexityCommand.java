package io.sinkserve.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sinkserve.cache.CacheConfig;
import io.sinkserve.eval.ChunkedPerplexity;
import io.sinkserve.eval.PerplexityMeter;
import io.sinkserve.eval.StreamPerplexity;
import io.sinkserve.model.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code perplexity}: llama.cpp-compatible chunked perplexity, and the StreamingLLM evaluation modes on one
 * long stream (dense, window, recompute, streaming).
 */
@Command(name = "perplexity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Perplexity of a model on a text.",
                "--mode chunks: like llama.cpp's llama-perplexity (chunks of --ctx tokens, BOS first, second half scored).",
                "--mode dense|window|recompute|streaming: ONE stream of --max-tokens tokens (StreamingLLM evaluation), "
                        + "where dense = no eviction at all (even past the trained context), window = --window recent "
                        + "tokens and no sinks, recompute = re-encode the last --window tokens from scratch for every "
                        + "token (the paper's baseline), streaming = --sinks attention sinks + --window recent tokens."})
public final class PerplexityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    enum Mode { CHUNKS, DENSE, WINDOW, RECOMPUTE, STREAMING }

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-f", "--text"}, required = true, description = "text file")
    Path text;

    @Option(names = "--mode", defaultValue = "chunks",
            description = "chunks, dense, window, recompute or streaming (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(names = {"-c", "--ctx"}, defaultValue = "0", description = "chunks mode: context per chunk (default: the model's)")
    int ctx;

    @Option(names = "--chunks", defaultValue = "-1", description = "chunks mode: at most this many chunks (default: all)")
    int chunks;

    @Option(names = "--max-tokens", defaultValue = "16384", description = "stream modes: tokens scored (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--segment", defaultValue = "1024", description = "stream modes: report perplexity per this many tokens (default: ${DEFAULT-VALUE})")
    int segment;

    @Option(names = "--json", description = "print one JSON object to stdout")
    boolean json;

    @Mixin
    CacheOptions cacheOptions;

    @Override
    public Integer call() throws Exception {
        Mode m = parseMode();
        refuseCacheOptionsThatDoNotApply(m);
        if (!Files.isRegularFile(text)) {
            throw new IllegalArgumentException("text file not found: " + text);
        }
        try (Model model = modelOptions.load()) {
            int[] tokens = model.tokenizer().encode(Files.readString(text), true, false);
            long start = System.nanoTime();
            ObjectNode report = new ObjectMapper().createObjectNode();
            report.put("mode", m.name().toLowerCase());
            PerplexityMeter meter;
            if (m == Mode.CHUNKS) {
                int n = ctx > 0 ? ctx : model.config().contextLength();
                meter = new PerplexityMeter(ChunkedPerplexity.scoredPerChunk(n));
                ChunkedPerplexity.run(model, tokens, n, chunks, cacheOptions.storage(), meter);
                report.put("ctx", n);
            } else {
                int scored = Math.min(maxTokens, tokens.length - 1);
                meter = new PerplexityMeter(segment);
                stream(model, m, tokens, scored, meter, report);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            report.put("perplexity", meter.perplexity());
            report.put("error", meter.perplexityError());
            report.put("tokens", meter.tokens());
            report.put("segment", meter.segmentLength());
            report.putArray("segments").addAll(meter.segments().stream()
                    .map(report::numberNode).toList());
            report.put("seconds", seconds);
            if (json) {
                out().println(report);
            } else {
                out().printf("perplexity: %.4f +/- %.4f over %d tokens (%s)%n", meter.perplexity(),
                        meter.perplexityError(), meter.tokens(), report.path("mode").asText());
                out().println("per " + meter.segmentLength() + " tokens: " + meter.segments().stream()
                        .map(v -> String.format("%.4f", v)).toList());
            }
            err().printf("%.1f s, %.1f scored tokens/s%n", seconds, meter.tokens() / seconds);
        }
        return 0;
    }

    private void stream(Model model, Mode m, int[] tokens, int scored, PerplexityMeter meter, ObjectNode report) {
        int modelContext = model.config().contextLength();
        report.put("modelContext", modelContext);
        CacheConfig cache = cacheOptions.toConfig(modelContext);
        switch (m) {
            case DENSE -> StreamPerplexity.cached(model, tokens, scored,
                    CacheConfig.dense(scored).withStorage(cacheOptions.storage()), modelContext, meter);
            case RECOMPUTE -> {
                report.put("window", cache.window());
                StreamPerplexity.recompute(model, tokens, scored, cache.window(), meter);
            }
            case WINDOW, STREAMING -> {
                CacheConfig c = m == Mode.WINDOW
                        ? CacheConfig.streaming(0, cache.window()).withPolicy(cache.policy())
                                .withBatchSize(cache.batchSize()).withStorage(cache.storage())
                        : cache;
                report.put("sinks", c.sinks());
                report.put("window", c.window());
                report.put("policy", c.policy().name().toLowerCase());
                StreamPerplexity.cached(model, tokens, scored, c, modelContext, meter);
            }
            case CHUNKS -> throw new IllegalStateException("chunks is not a stream mode");
        }
    }

    /**
     * chunks and dense keep every token (a dense cache per chunk or for the stream) and recompute re-encodes
     * its window from scratch, so the eviction options mean nothing there; given anyway they are refused
     * rather than silently ignored. --kv applies to every mode that keeps a cache.
     */
    private void refuseCacheOptionsThatDoNotApply(Mode m) {
        List<String> ignored = switch (m) {
            case CHUNKS, DENSE -> List.of("--sinks", "--window", "--policy", "--evict-batch");
            case RECOMPUTE -> List.of("--sinks", "--policy", "--evict-batch", "--kv");
            case WINDOW -> List.of("--sinks");
            case STREAMING -> List.of();
        };
        ParseResult parsed = spec.commandLine().getParseResult();
        for (String option : ignored) {
            if (parsed.hasMatchedOption(option)) {
                throw new IllegalArgumentException(option + " does not apply to --mode " + m.name().toLowerCase());
            }
        }
    }

    private Mode parseMode() {
        try {
            return Mode.valueOf(mode.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mode must be chunks, dense, window, recompute or streaming, got " + mode);
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
