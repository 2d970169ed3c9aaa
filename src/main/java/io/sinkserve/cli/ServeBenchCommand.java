package io.sinkserve.cli;

import io.sinkserve.bench.ConcurrencyBench;
import io.sinkserve.model.ModelEngine;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code serve-bench}: the service's scheduler under 1..N concurrent streams, batched vs one at a time. */
@Command(name = "serve-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Aggregate tokens/s and time to first token of N concurrent streams through the service's "
                + "scheduler (no HTTP): continuous batching (all N decoded together) vs one stream at a time.")
public final class ServeBenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--streams", split = ",", defaultValue = "1,4,8,16",
            description = "concurrent stream counts (default: ${DEFAULT-VALUE})")
    List<Integer> streams;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "32", description = "prompt tokens per stream (default: ${DEFAULT-VALUE})")
    int prompt;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "32", description = "tokens generated per stream (default: ${DEFAULT-VALUE})")
    int generate;

    @Override
    public Integer call() throws Exception {
        if (prompt < 1 || generate < 1 || streams.stream().anyMatch(s -> s < 1)) {
            throw new IllegalArgumentException("--n-prompt, --n-gen and every --streams value must be at least 1");
        }
        if (!Files.isRegularFile(modelOptions.model)) {
            throw new IllegalArgumentException("model file not found: " + modelOptions.model);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ModelEngine engine = ModelEngine.load(modelOptions.model, "bench", modelOptions.threads)) {
            ConcurrencyBench.run(engine, 2, true, prompt, generate);   // warm-up: class loading and JIT
            out.printf("model %s, %d prompt + %d generated tokens per stream%n", modelOptions.model, prompt, generate);
            out.println("| streams | mode | generated | seconds | aggregate tok/s | TTFT mean ms | TTFT max ms |");
            out.println("|---:|---|---:|---:|---:|---:|---:|");
            for (int n : streams) {
                for (boolean batched : new boolean[] {true, false}) {
                    ConcurrencyBench.Result r = ConcurrencyBench.run(engine, n, batched, prompt, generate);
                    out.printf("| %d | %s | %d | %.2f | %.1f | %.0f | %.0f |%n", n, batched ? "batched" : "one at a time",
                            r.generatedTokens(), r.seconds(), r.tokensPerSecond(), r.ttftMeanMs(), r.ttftMaxMs());
                    out.flush();
                }
            }
        }
        return 0;
    }
}
