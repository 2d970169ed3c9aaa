package io.sinkserve.cli;

import io.sinkserve.compute.ComputePool;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.synth.ModelShape;
import io.sinkserve.synth.SynthType;
import io.sinkserve.synth.Synthesizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code synth}: a GGUF with a real model's shapes and seeded random weights, for benchmarks. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a GGUF with a real model's shapes and seeded random weights (for speed measurements; "
                + "random weights are not a model).",
                "Shapes: llama-3.2-1b, smollm2-135m, qwen2.5-0.5b, llama-2-7b, tiny, tiny-qwen2.",
                "Types: f32, f16, bf16, q8_0, q4_0, q4_k, q6_k, q4_k_m (Q4_K + Q6_K as llama.cpp mixes them).",
                "K-quant rows that are not whole 256-value blocks (qwen2.5-0.5b's 896-wide ones) fall back like "
                + "llama.cpp's, except Q4_K -> Q4_0 where llama.cpp uses Q5_0, which sinkserve does not read: such "
                + "files are not llama.cpp's mix."})
public final class SynthCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--shape", required = true, description = "model shape, e.g. llama-3.2-1b")
    String shape;

    @Option(names = "--type", required = true, description = "weight type, e.g. q4_0 or q4_k_m")
    String type;

    @Option(names = "--vocab", required = true, paramLabel = "VOCAB.gguf",
            description = "GGUF whose tokenizer to copy (a vocab-only file is enough)")
    Path vocab;

    @Option(names = "--out", required = true, description = "GGUF to write")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "threads generating and quantising (default: all cores)")
    Integer threads;

    @Override
    public Integer call() {
        ModelShape s = ModelShape.named(shape);
        SynthType t = SynthType.parse(type);
        Synthesizer synth;
        try (GGUFFile v = GGUFFile.open(vocab)) {
            synth = new Synthesizer(s, t, v.metadata(), vocab.getFileName().toString(), seed);
        }
        long start = System.nanoTime();
        try (ComputePool pool = new ComputePool(threads == null ? ComputePool.defaultThreads() : threads)) {
            synth.write(out, pool);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long bytes = synth.writer().fileSize();
        spec.commandLine().getErr().printf(Locale.ROOT, "wrote %s: %s, %d tensors, %s in %.1f s (%.0f MB/s)%n", out,
                shape + " " + t.name().toLowerCase(Locale.ROOT), synth.writer().tensors().size(),
                InfoCommand.bytes(bytes), seconds, bytes / seconds / 1e6);
        spec.commandLine().getErr().flush();
        return 0;
    }
}
