package io.sinkserve.gguf;

import io.sinkserve.compute.TensorType;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GGUFFileTest {
    @Test
    void readsStories260KVersion3() {
        try (GGUFFile f = GGUFFile.open(TestFiles.stories260K())) {
            assertEquals(3, f.version());
            GGUFMetadata md = f.metadata();
            assertEquals("llama", md.getString("general.architecture"));
            assertEquals(64, md.getInt("llama.embedding_length", -1));
            assertEquals(512, md.getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(4294967295L, md.getLong("tokenizer.ggml.padding_token_id"), "u32 stays unsigned");
            assertEquals(48, f.tensors().size());
            TensorInfo q = f.tensor("blk.0.attn_q.weight");
            assertEquals(TensorType.F32, q.type());
            assertArrayEquals(new long[] {64, 64}, q.shape());
            assertEquals(64 * 64 * 4, f.data(q).byteSize());
            TensorInfo last = f.tensors().stream().max((a, b) -> Long.compare(a.offset(), b.offset())).orElseThrow();
            assertEquals(Files.size(TestFiles.stories260K()), f.dataStart() + last.offset() + last.byteSize(),
                    "the last tensor ends exactly at EOF");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void version1HoldsTheSameTensorBytes() {
        try (GGUFFile v1 = GGUFFile.open(TestFiles.model("stories260K-ggufv1-f32.gguf"));
             GGUFFile v3 = GGUFFile.open(TestFiles.stories260K())) {
            assertEquals(1, v1.version());
            assertEquals(512, v1.metadata().getInt("llama.context_length", -1));
            for (TensorInfo t : v3.tensors()) {
                TensorInfo o = v1.tensor(t.name());
                assertNotNull(o, t.name());
                assertArrayEquals(t.shape(), o.shape());
                assertEquals(-1, v1.data(o).mismatch(v3.data(t)), t.name());
            }
        }
    }

    @Test
    void vocabOnlyFilesHaveNoTensorsAndNoPadding() {
        try (GGUFFile f = GGUFFile.open(TestFiles.model("vocab-only/ggml-vocab-llama-bpe.gguf"))) {
            assertEquals(0, f.tensors().size());
            assertEquals("gpt2", f.metadata().getString("tokenizer.ggml.model"));
            assertEquals(128256, f.metadata().getStringArray("tokenizer.ggml.tokens").length);
        }
    }

    @Test
    void everyTruncationIsAClearError(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(TestFiles.stories260K());
        // Cut points spread over the header and the data; each must fail with a message naming the file.
        // A fresh file per cut: re-writing one truncated file makes ext4 flush it to disk every time.
        for (int len = 0; len < bytes.length; len += len < 20_000 ? 97 : 50_003) {
            Path cut = dir.resolve("cut" + len + ".gguf");
            Files.write(cut, Arrays.copyOf(bytes, len));
            GGUFException e = assertThrows(GGUFException.class, () -> GGUFFile.open(cut).close(), "cut at " + len);
            assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        }
    }

    @Test
    void badMagicAndVersionAreNamed(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(TestFiles.stories260K());
        Path bad = dir.resolve("bad.gguf");
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        Files.write(bad, magic);
        assertTrue(assertThrows(GGUFException.class, () -> GGUFFile.open(bad)).getMessage().contains("not a GGUF file"));
        byte[] version = bytes.clone();
        version[4] = 9;
        Files.write(bad, version);
        assertTrue(assertThrows(GGUFException.class, () -> GGUFFile.open(bad)).getMessage().contains("version 9"));
    }
}
