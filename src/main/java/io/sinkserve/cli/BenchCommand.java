package io.sinkserve.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sinkserve.bench.BenchReport;
import io.sinkserve.bench.ProcessMemory;
import io.sinkserve.bench.ReadBandwidth;
import io.sinkserve.bench.Summary;
import io.sinkserve.bench.ThroughputBench;
import io.sinkserve.bench.WeightTraffic;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.model.Model;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntToDoubleFunction;

/**
 * {@code bench}: llama-bench's pp/tg throughput tests for one model, mean ± sd (and median) over
 * repetitions after untimed warm-up runs, with the effective weight bandwidth of decode and the process RSS.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure throughput like llama-bench: prompt processing (pp: prefill of -p tokens into a fresh "
                + "sequence) and text generation (tg: -n single-token decode steps, of --parallel sequences together), "
                + "tokens/s over -r repetitions.",
                "-d N starts every test with N tokens already in the cache (llama-bench -d).",
                "Also prints the bytes of weights one decode step reads, the resulting effective bandwidth (with "
                + "--read-bandwidth, as a share of the machine's measured read bandwidth), and RSS."})
public final class BenchCommand implements Callable<Integer> {
    private static final int READ_PASSES = 5;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-p", "--n-prompt"}, defaultValue = "128", description = "prompt tokens for pp; 0 skips pp (default: ${DEFAULT-VALUE})")
    int prompt;

    @Option(names = {"-n", "--n-gen"}, defaultValue = "64", description = "generated tokens for tg; 0 skips tg (default: ${DEFAULT-VALUE})")
    int generate;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "5", description = "timed repetitions per test (default: ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = "--warmup", defaultValue = "1", description = "untimed runs per test before the timed ones (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--parallel", defaultValue = "1", description = "sequences decoded together in tg, one batched step per token each, "
            + "like llama-batched-bench; rates count all their tokens (default: ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = {"-d", "--depth"}, defaultValue = "0", description = "tokens already in each sequence's cache when a test starts, "
            + "prefilled once untimed, like llama-bench -d (default: ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--read-bandwidth", arity = "0..1", fallbackValue = "1024", paramLabel = "MIB",
            description = "also measure the machine's read bandwidth with the same threads (best of 5 passes over a "
                    + "buffer of MIB MiB, 1024 when not given; it must be far larger than the CPU caches) and report "
                    + "decode's share of it")
    Integer readBufferMiB;

    @Option(names = "--kv", defaultValue = "F16", description = "KV cache storage: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}, as llama.cpp)")
    KvStorage kv;

    @Option(names = "--seed", defaultValue = "1234", description = "seed of the random tokens (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (prompt < 0 || generate < 0 || prompt + generate == 0) {
            throw new IllegalArgumentException("-p and -n must not be negative, and at least one must be positive");
        }
        if (repetitions < 1 || warmup < 0) {
            throw new IllegalArgumentException("-r must be at least 1 and --warmup at least 0");
        }
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be at least 1, got " + parallel);
        }
        if (depth < 0) {
            throw new IllegalArgumentException("--depth must not be negative, got " + depth);
        }
        if (readBufferMiB != null && readBufferMiB < 1) {
            throw new IllegalArgumentException("--read-bandwidth needs a buffer of at least 1 MiB, got " + readBufferMiB);
        }
        // Before the model: its compute pool and the JIT work its runs leave behind would share the cores.
        Double read = readBufferMiB == null ? null
                : ReadBandwidth.measure(modelOptions.threads(), readBufferMiB * 1048576L, READ_PASSES);
        BenchReport report;
        try (Model model = modelOptions.load()) {
            report = measure(model, read);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            print(report, out);
        }
        out.flush();
        return 0;
    }

    private BenchReport measure(Model model, Double read) throws Exception {
        // The cache figures of ModelInfo go unused; the window only has to be valid.
        ModelInfo info = ModelInfo.of(model.file(), Files.size(modelOptions.model), 0, Math.max(prompt, generate));
        String at = depth > 0 ? " @ d" + depth : "";
        List<BenchReport.Test> tests = new ArrayList<>();
        Double bandwidth = null;
        long perToken = WeightTraffic.bytesPerDecodeToken(model.file());
        try (ThroughputBench bench = new ThroughputBench(model, kv, seed, depth)) {
            if (prompt > 0) {
                tests.add(run("pp" + prompt + at, prompt, bench::promptRate));
            }
            if (generate > 0) {
                String name = "tg" + generate + (parallel > 1 ? "x" + parallel : "") + at;
                BenchReport.Test tg = run(name, generate, n -> bench.generationRate(n, parallel));
                tests.add(tg);
                // one step reads the weights once for all the parallel sequences
                bandwidth = perToken * tg.summary().median() / parallel;
            }
        }
        Double share = read != null && bandwidth != null ? bandwidth / read : null;
        return new BenchReport(modelOptions.model.toString(), info.architecture(), info.fileType(),
                info.tensors().weightBytes(), info.tensors().parameters(), model.threads(), kv.name(),
                "Java " + Runtime.version() + ", Vector API", depth, tests, perToken, bandwidth, read, share,
                ProcessMemory.rssBytes());
    }

    private BenchReport.Test run(String name, int tokens, IntToDoubleFunction oneRepetition) {
        for (int i = 0; i < warmup; i++) {
            oneRepetition.applyAsDouble(tokens);
        }
        double[] rates = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            rates[i] = oneRepetition.applyAsDouble(tokens);
        }
        return new BenchReport.Test(name, tokens, rates, Summary.of(rates));
    }

    private static void print(BenchReport r, PrintWriter out) {
        String model = r.architecture() + (r.fileType() == null ? "" : " " + r.fileType());
        out.println("| model | size | params | backend | threads | KV | test | t/s | median t/s |");
        out.println("| --- | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |");
        for (BenchReport.Test t : r.tests()) {
            Summary s = t.summary();
            out.printf("| %s | %.2f MiB | %.2f M | %s | %d | %s | %s | %.2f ± %.2f | %.2f |%n", model,
                    r.weightBytes() / 1048576.0, r.parameters() / 1e6, r.runtime(), r.threads(), r.kvStorage(),
                    t.name(), s.mean(), s.sd(), s.median());
        }
        out.printf("weights read per decode token: %.2f MiB", r.weightBytesPerDecodeToken() / 1048576.0);
        if (r.decodeWeightBandwidth() != null) {
            out.printf("; effective weight bandwidth at the median tg rate: %.2f GB/s", r.decodeWeightBandwidth() / 1e9);
        }
        out.println();
        if (r.readBandwidth() != null) {
            out.printf("measured read bandwidth with %d threads: %.2f GB/s", r.threads(), r.readBandwidth() / 1e9);
            if (r.bandwidthShare() != null) {
                out.printf("; decode weight traffic is %.0f%% of it", 100 * r.bandwidthShare());
            }
            out.println();
        }
        out.printf("RSS after the runs: %.1f MiB%n", r.rssBytes() / 1048576.0);
    }
}
