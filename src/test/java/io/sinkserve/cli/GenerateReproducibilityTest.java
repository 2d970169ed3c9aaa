package io.sinkserve.cli;

import io.sinkserve.compute.ComputePool;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.synth.ModelShape;
import io.sinkserve.synth.SynthType;
import io.sinkserve.synth.Synthesizer;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: {@code generate} at temperature 0 on a quantised model prints one text in every fresh JVM,
 * although the JIT compiles the kernels at a different token in each run.
 */
class GenerateReproducibilityTest {
    @TempDir
    Path dir;

    @Test
    void threeFreshJvmsGenerateOneText() throws IOException, InterruptedException {
        GGUFMetadata vocab;
        try (GGUFFile f = GGUFFile.open(TestFiles.stories260K())) {
            vocab = f.metadata();
        }
        Path model = dir.resolve("tiny-q4_k.gguf");
        try (ComputePool pool = new ComputePool(1)) {
            new Synthesizer(ModelShape.named("tiny"), SynthType.Q4_K, vocab, "stories260K", 3).write(model, pool);
        }
        List<String> texts = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            texts.add(generate(model));
        }
        assertFalse(texts.get(0).isEmpty(), "generated nothing");
        assertEquals(texts.get(0), texts.get(1), "run 2");
        assertEquals(texts.get(0), texts.get(2), "run 3");
    }

    private String generate(Path model) throws IOException, InterruptedException {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "generate", "--model", model.toString(), "--prompt", "Once upon a time", "--temperature", "0",
                "--max-tokens", "48", "--threads", "2");
        Path err = Files.createTempFile(dir, "generate", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "generate timed out");
        assertEquals(0, p.exitValue(), Files.readString(err));
        return out;
    }
}
