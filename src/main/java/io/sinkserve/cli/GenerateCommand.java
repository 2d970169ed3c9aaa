package io.sinkserve.cli;

import io.sinkserve.generate.GenerationResult;
import io.sinkserve.generate.Generator;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.model.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
            int[] tokens = model.tokenizer().encode(prompt, true, false);
            GenerationResult r = new Generator().generate(model,
                    model.newSequence(cacheOptions.toConfig(model.config().contextLength())), tokens, params,
                    piece -> {
                        out.print(piece);
                        out.flush();
                    });
            // stdout carries exactly the generated text; the line break that ends it on a terminal goes to stderr
            err().printf("%nprompt: %d tokens, %.1f tokens/s | generated: %d tokens, %.1f tokens/s | finish: %s | seed: %d%n",
                    r.promptTokens(), r.prefillTokensPerSecond(), r.generatedTokens(), r.decodeTokensPerSecond(),
                    r.finishReason().name().toLowerCase(), s);
        }
        return 0;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
