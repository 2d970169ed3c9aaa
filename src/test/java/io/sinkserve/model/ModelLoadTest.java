package io.sinkserve.model;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.compute.TensorType;
import io.sinkserve.gguf.GGUFException;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.gguf.GGUFWriter;
import io.sinkserve.testing.TestFiles;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.function.Consumer;

import static io.sinkserve.cache.SameComputation.TOLERANCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Binding models from GGUF files written with llama.cpp's names and keys, and the errors for what is not supported. */
class ModelLoadTest {
    private static GGUFMetadata tokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    static void tokenizerOfStories() {
        try (GGUFFile f = GGUFFile.open(TestFiles.stories260K())) {
            GGUFWriter w = new GGUFWriter().putAll(f.metadata(), k -> k.startsWith("tokenizer."));
            tokenizer = w.metadata();
        }
    }

    @Test
    void llamaAndQwen2FilesComputeWhatTheInMemoryModelsCompute() {
        for (String arch : new String[] {"llama", "qwen2"}) {
            TinyModel tiny = new TinyModel(arch, 5, 512);
            Path file = dir.resolve(arch + ".gguf");
            tiny.writeGGUF(file, tokenizer);
            int[] prompt = {1, 403, 407, 261, 378};
            try (Model loaded = Model.load(file, 1); Model memory = tiny.model(1);
                 CachedSequence a = loaded.newSequence(CacheConfig.streaming(1, 3)); CachedSequence b = memory.newSequence(CacheConfig.streaming(1, 3))) {
                ModelConfig c = loaded.config();
                assertEquals(arch, c.arch());
                assertEquals(arch.equals("qwen2"), c.ropeNeox());
                assertEquals(tiny.config.ropeDim(), c.ropeDim());
                assertEquals(10000.0, c.ropeTheta());
                assertNull(c.ropeFactors());
                assertArrayEquals(prompt, loaded.tokenizer().encode("Once upon a time", true, false));
                assertArrayEquals(memory.prefill(b, prompt), loaded.prefill(a, prompt), TOLERANCE, arch);
            }
        }
    }

    @Test
    void unsupportedArchitectureIsAClearErrorAtLoad() {
        Path file = dir.resolve("phi.gguf");
        new GGUFWriter().putAll(tokenizer).putString("general.architecture", "phi3").write(file, (t, f, r, d) -> { });
        GGUFException e = assertThrows(GGUFException.class, () -> Model.load(file, 1));
        assertTrue(e.getMessage().contains("architecture 'phi3' is not supported (supported: llama, qwen2)"), e.getMessage());
        assertTrue(e.getMessage().contains("phi.gguf"), e.getMessage());
    }

    @Test
    void missingTensorIsNamed() {
        TinyModel tiny = new TinyModel("llama", 6, 512);
        Path full = dir.resolve("full.gguf");
        tiny.writeGGUF(full, tokenizer);
        Path cut = dir.resolve("cut.gguf");
        try (GGUFFile f = GGUFFile.open(full)) {
            GGUFWriter w = new GGUFWriter().putAll(f.metadata());
            f.tensors().stream().filter(t -> !t.name().equals("blk.1.ffn_up.weight"))
                    .forEach(t -> w.addTensor(t.name(), t.type(), t.shape()));
            w.write(cut, (t, first, rows, dst) -> MemorySegment.copy(f.data(f.tensor(t.name())), first * t.rowBytes(), dst, 0, dst.byteSize()));
        }
        GGUFException e = assertThrows(GGUFException.class, () -> Model.load(cut, 1));
        assertTrue(e.getMessage().contains("missing tensor blk.1.ffn_up.weight"), e.getMessage());
    }

    @Test
    void ropeScalingFromTheRopeFreqsTensorOrTheLlama3Keys() {
        TinyModel tiny = new TinyModel("llama", 7, 512);
        Path base = dir.resolve("base.gguf");
        tiny.writeGGUF(base, tokenizer);
        float[] factors = {1f, 2f, 8f};
        Path withTensor = dir.resolve("freqs.gguf");
        copyWith(base, withTensor, w -> w.addTensor("rope_freqs.weight", TensorType.F32, 3), factors);
        try (GGUFFile f = GGUFFile.open(withTensor)) {
            assertArrayEquals(factors, ModelConfig.from(f).ropeFactors());
        }

        Path withKeys = dir.resolve("llama3.gguf");
        copyWith(base, withKeys, w -> w.putString("llama.rope.scaling.type", "llama3").putFloat32("llama.rope.scaling.factor", 8f)
                .putFloat32("llama.rope.freq_base", 500000f).putUInt32("llama.rope.scaling.original_context_length", 64), null);
        try (GGUFFile f = GGUFFile.open(withKeys)) {
            // rope dim 6 at base 5e5: wavelengths 6.3, 499, 39,600 against thresholds 64/4 = 16 and 64/1 = 64.
            assertArrayEquals(new float[] {1f, 8f, 8f}, ModelConfig.from(f).ropeFactors());
        }

        Path yarn = dir.resolve("yarn.gguf");
        copyWith(base, yarn, w -> w.putString("llama.rope.scaling.type", "yarn"), null);
        GGUFException e = assertThrows(GGUFException.class, () -> Model.load(yarn, 1));
        assertTrue(e.getMessage().contains("rope scaling 'yarn' is not supported"), e.getMessage());
    }

    /** Copies a GGUF file, letting {@code edit} add keys or one extra F32 tensor whose values are {@code extra}. */
    private static void copyWith(Path from, Path to, Consumer<GGUFWriter> edit, float[] extra) {
        try (GGUFFile f = GGUFFile.open(from)) {
            GGUFWriter w = new GGUFWriter().putAll(f.metadata());
            f.tensors().forEach(t -> w.addTensor(t.name(), t.type(), t.shape()));
            edit.accept(w);
            w.write(to, (t, first, rows, dst) -> {
                if (f.tensor(t.name()) != null) {
                    MemorySegment.copy(f.data(f.tensor(t.name())), first * t.rowBytes(), dst, 0, dst.byteSize());
                } else {
                    MemorySegment.copy(extra, 0, dst, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, extra.length);
                }
            });
        }
    }
}
