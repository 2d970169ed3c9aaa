package io.sinkserve.cli;

import io.sinkserve.generate.SamplingParams;
import io.sinkserve.model.Model;
import io.sinkserve.model.ModelEngine;
import io.sinkserve.model.Sequence;
import io.sinkserve.scheduler.Generation;
import io.sinkserve.scheduler.GenerationListener;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.scheduler.Scheduler;
import io.sinkserve.scheduler.SchedulerLimits;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/** {@code generate}: continue a prompt; only the generated text goes to stdout (streamed), stats to stderr. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate a continuation of a prompt, streaming only the generated text to stdout.",
                "Statistics (tokens, tokens/s, finish reason, seed) go to stderr."})
public final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-p", "--prompt"}, required = true, description = "prompt text")
    String prompt;

    @Option(names = {"-n", "--max-tokens"}, defaultValue = "256", description = "at most this many tokens (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "0 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "1 = off (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "0 = off (default: ${DEFAULT-VALUE})")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "1 = off (default: ${DEFAULT-VALUE})")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", description = "tokens the penalties look back (default: ${DEFAULT-VALUE})")
    int repeatLastN;

    @Option(names = "--presence-penalty", defaultValue = "0")
    float presencePenalty;

    @Option(names = "--frequency-penalty", defaultValue = "0")
    float frequencyPenalty;

    @Option(names = {"-s", "--seed"}, description = "random seed (default: random, printed to stderr)")
    Long seed;

    @Option(names = "--stop", description = "stop string (repeatable); it is not printed")
    List<String> stop = List.of();

    @Mixin
    CacheOptions cacheOptions;

    @Override
    public Integer call() {
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        SamplingParams params = SamplingParams.greedy(maxTokens).withTemperature(temperature).withTopK(topK).withTopP(topP)
                .withMinP(minP).withRepetitionPenalty(repeatPenalty).withRepeatLastN(repeatLastN)
                .withPresencePenalty(presencePenalty).withFrequencyPenalty(frequencyPenalty).withSeed(s).withStop(stop);
        PrintWriter out = out();
        try (Model model = modelOptions.load()) {
            ModelEngine engine = new ModelEngine(model, model.file().path().getFileName().toString(), model.chatTemplate());
            // the prompt is tokenized, chunked, prefilled and sampled as POST /v1/completions does it
            int[] tokens = engine.encode(prompt);
            Printer printer = new Printer(out);
            try (Sequence seq = engine.newSequence(cacheOptions.toConfig(model.config().contextLength()))) {
                Scheduler.runAlone(engine, SchedulerLimits.DEFAULT_PREFILL_CHUNK, new Generation(seq, tokens, params, printer));
            }
            GenerationResult r = printer.result();
            // stdout carries exactly the generated text; the line break that ends it on a terminal goes to stderr
            err().printf("%nprompt: %d tokens, %.1f tokens/s | generated: %d tokens, %.1f tokens/s | finish: %s | seed: %d%n",
                    r.prefilledTokens(), r.prefillTokensPerSecond(), r.generatedTokens(), r.tokensPerSecond(),
                    r.finishReason().name().toLowerCase(), s);
        }
        return 0;
    }

    /** Streams the text to stdout as it comes and keeps the result. */
    private static final class Printer implements GenerationListener {
        private final PrintWriter out;
        private GenerationResult result;
        private RuntimeException error;

        Printer(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void onText(String text) {
            out.print(text);
            out.flush();
        }

        @Override
        public void onFinish(GenerationResult r) {
            result = r;
        }

        @Override
        public void onError(RuntimeException e) {
            error = e;
        }

        GenerationResult result() {
            if (error != null) {
                throw error;
            }
            return result;
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
