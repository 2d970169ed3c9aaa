package io.sinkserve.determinism;

import io.sinkserve.compute.ComputePool;
import io.sinkserve.compute.VectorWidth;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.synth.ModelShape;
import io.sinkserve.synth.SynthType;
import io.sinkserve.synth.Synthesizer;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: the same decode gives the same logit bits in a fresh JVM whatever the JIT tier (C1 running the
 * Vector API's Java fallback, as the interpreter does, or C2 after warm-up), the thread count and the vector width, on a synthetic model of every weight type.
 * Each configuration runs {@link LogitsProbe} in a JVM of its own, since tier and width are fixed per JVM.
 */
class KernelDeterminismTest {
    private static final List<SynthType> TYPES = List.of(SynthType.Q4_0, SynthType.Q8_0, SynthType.Q4_K,
            SynthType.Q6_K, SynthType.F16, SynthType.BF16);

    /**
     * As small as every block type allows (rows of one 256-value K block): C1 runs the Vector API's Java
     * fallback, hundreds of times slower than C2's intrinsics.
     */
    private static final ModelShape SHAPE = new ModelShape("probe", "llama", 256, 1, 2, 1, 256, 0, 256, 10000,
            1e-5f, true, null);

    @TempDir
    static Path dir;
    private static final List<String> models = new ArrayList<>();
    /** The hashes of a warm C2 run with two threads at the preferred width, the reference of every test. */
    private static Map<String, String> reference;

    @BeforeAll
    static void writeModels() throws IOException {
        GGUFMetadata vocab;
        try (GGUFFile f = GGUFFile.open(TestFiles.stories260K())) {
            vocab = f.metadata();
        }
        try (ComputePool pool = new ComputePool(1)) {
            for (SynthType type : TYPES) {
                Path out = dir.resolve("tiny-" + type + ".gguf");
                new Synthesizer(SHAPE, type, vocab, "stories260K", 7).write(out, pool);
                models.add(out.toString());
            }
        }
        // three repeats in one JVM: the later ones run C2-compiled kernels (-Xbatch compiles before going on)
        reference = probe(2, 3, "-Xbatch");
    }

    /**
     * C1 has no Vector API intrinsics: it runs the API's Java fallback, as the interpreter does (which is
     * too slow for this machine's shared cores), so this compares the fallback's arithmetic with C2's.
     */
    @Test
    void coldCodeGivesTheBitsOfWarmC2Code() throws IOException {
        assertEquals(reference, probe(1, 1, "-XX:TieredStopAtLevel=1"), "C1 (Vector API fallback) vs warm C2");
    }

    @Test
    void oneThreadGivesTheBitsOfTwo() throws IOException {
        assertEquals(reference, probe(1, 2), "1 thread vs 2");
    }

    @Test
    void everyVectorWidthGivesTheSameBits() throws IOException {
        for (int bits : new int[] {128, 256, 512}) {
            assertEquals(reference, probe(2, 2, "-D" + VectorWidth.PROPERTY + "=" + bits), bits + "-bit vectors");
        }
    }

    /**
     * Runs the probe over every model in a fresh JVM with {@code flags}; returns model file -> hash after
     * checking that every repeat gave the first one's.
     */
    private static Map<String, String> probe(int threads, int repeats, String... flags) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m",
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(flags));
        cmd.add(LogitsProbe.class.getName());
        cmd.add(Integer.toString(threads));
        cmd.add(Integer.toString(repeats));
        cmd.addAll(models);
        Path err = Files.createTempFile(dir, "probe", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "probe timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", flags) + ": " + readQuietly(err));
        Map<String, String> first = new TreeMap<>();
        int lines = 0;
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length != 3 || !f[0].matches("\\d+")) {
                continue;
            }
            lines++;
            String before = first.putIfAbsent(f[1], f[2]);
            if (before != null) {
                assertEquals(before, f[2], String.join(" ", flags) + ": repeat " + f[0] + " of " + f[1]);
            }
        }
        assertEquals(repeats * models.size(), lines, out);
        return first;
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
