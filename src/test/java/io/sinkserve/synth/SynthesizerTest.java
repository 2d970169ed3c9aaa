package io.sinkserve.synth;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.compute.ComputePool;
import io.sinkserve.compute.TensorType;
import io.sinkserve.gguf.FileType;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.gguf.GGUFWriter;
import io.sinkserve.gguf.TensorInfo;
import io.sinkserve.model.CachedSequence;
import io.sinkserve.model.Model;
import io.sinkserve.testing.TestFiles;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynthesizerTest {
    private static ComputePool pool;
    private static GGUFMetadata storiesVocab;
    private static GGUFMetadata llama3Vocab;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() {
        // One thread: the test machine's cores are shared, and the determinism test brings its own two.
        pool = new ComputePool(1);
        try (GGUFFile f = GGUFFile.open(TestFiles.stories260K())) {
            storiesVocab = f.metadata();
        }
        try (GGUFFile f = GGUFFile.open(TestFiles.model("vocab-only/ggml-vocab-llama-bpe.gguf"))) {
            llama3Vocab = f.metadata();
        }
    }

    @AfterAll
    static void tearDown() {
        pool.close();
    }

    private static Synthesizer synth(String shape, SynthType type, GGUFMetadata vocab) {
        return new Synthesizer(ModelShape.named(shape), type, vocab, "vocab.gguf", 42);
    }

    @Test
    void writesTheTinyShapeInEveryTypeAndTheModelRunsOnIt() throws IOException {
        for (SynthType type : SynthType.values()) {
            Path out = dir.resolve("tiny-" + type + ".gguf");
            Synthesizer s = synth("tiny", type, storiesVocab);
            s.write(out, pool);
            assertEquals(s.writer().fileSize(), Files.size(out), type.name());
            try (GGUFFile f = GGUFFile.open(out)) {
                GGUFMetadata md = f.metadata();
                assertEquals("llama", md.getString("general.architecture"));
                assertEquals(256, md.getLong("llama.embedding_length"));
                assertEquals(2, md.getLong("llama.block_count"));
                assertEquals(4, md.getLong("llama.attention.head_count"));
                assertEquals(2, md.getLong("llama.attention.head_count_kv"));
                assertEquals(512, md.getLong("llama.feed_forward_length"));
                assertEquals(512, md.getLong("llama.vocab_size"), "tiny takes the vocabulary's size");
                assertEquals(type.fileType().id(), md.getLong(FileType.KEY));
                assertArrayEquals(storiesVocab.getStringArray("tokenizer.ggml.tokens"), md.getStringArray("tokenizer.ggml.tokens"));
                assertEquals(42, md.getLong("synth.seed"));
                assertEquals(22, f.tensors().size());
                assertArrayEquals(new long[] {256, 512}, f.tensor("token_embd.weight").shape());
                assertArrayEquals(new long[] {256, 128}, f.tensor("blk.1.attn_k.weight").shape());
                assertArrayEquals(new long[] {512, 256}, f.tensor("blk.0.ffn_down.weight").shape());
                assertArrayEquals(new long[] {256, 512}, f.tensor("output.weight").shape());
                assertArrayEquals(new long[] {32}, f.tensor("rope_freqs.weight").shape());
                for (TensorInfo t : f.tensors()) {
                    if (t.shape().length == 1) {
                        assertEquals(TensorType.F32, t.type(), t.name());
                    } else if (type != SynthType.Q4_K_M) {
                        assertEquals(type.name(), t.type().name(), t.name() + " in a pure " + type + " file");
                    }
                }
            }
            try (Model m = Model.load(out, 1); CachedSequence seq = m.newSequence(CacheConfig.streaming(4, 60))) {
                float[] logits = m.prefill(seq, new int[] {1, 403, 407});
                assertEquals(512, logits.length);
                for (float l : logits) {
                    assertTrue(Float.isFinite(l), type + ": logits stay finite");
                }
            }
            Files.delete(out);
        }
    }

    @Test
    void theSameSeedGivesTheSameFile() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        synth("tiny-qwen2", SynthType.Q8_0, storiesVocab).write(a, pool);
        try (ComputePool two = new ComputePool(2)) {
            synth("tiny-qwen2", SynthType.Q8_0, storiesVocab).write(b, two);
        }
        assertEquals(-1, Files.mismatch(a, b), "independent of the thread count");
        new Synthesizer(ModelShape.named("tiny-qwen2"), SynthType.Q8_0, storiesVocab, "vocab.gguf", 43).write(b, pool);
        assertTrue(Files.mismatch(a, b) >= 0, "another seed, other weights");
    }

    @Test
    void q4KMKeepsTheTensorsLlamaCppKeepsInQ6K() {
        GGUFWriter w = synth("llama-3.2-1b", SynthType.Q4_K_M, llama3Vocab).writer();
        // llama.cpp's use_more_bits for 16 layers: the first and last two, then every third from layer 2.
        Set<Integer> moreBits = Set.of(0, 1, 4, 7, 10, 13, 14, 15);
        for (TensorInfo t : w.tensors()) {
            String n = t.name();
            TensorType expected;
            if (t.shape().length == 1) {
                expected = TensorType.F32;
            } else if (n.equals("token_embd.weight")) {
                expected = TensorType.Q6_K; // tied: it is also the output matrix
            } else if (n.endsWith("attn_v.weight") || n.endsWith("ffn_down.weight")) {
                expected = moreBits.contains(Integer.parseInt(n.split("\\.")[1])) ? TensorType.Q6_K : TensorType.Q4_K;
            } else {
                expected = TensorType.Q4_K;
            }
            assertEquals(expected, t.type(), n);
        }
        assertNull(w.metadata().get("synth.vocab.fitted"), "the Llama 3 vocab fits exactly");
    }

    @Test
    void rowsThatAreNotWholeKBlocksFallBackLikeLlamaCpp() {
        // qwen2.5-0.5b: 896-wide rows are no multiple of 256; 4864-wide ffn_down rows are.
        GGUFWriter w = synth("qwen2.5-0.5b", SynthType.Q4_K_M, llama3Vocab).writer();
        assertEquals(TensorType.Q8_0, find(w, "token_embd.weight").type(), "tied output: Q6_K -> Q8_0");
        assertEquals(TensorType.Q4_0, find(w, "blk.4.attn_q.weight").type(), "Q4_K -> Q4_0 (llama.cpp: Q5_0)");
        assertEquals(TensorType.Q8_0, find(w, "blk.0.attn_v.weight").type(), "Q6_K -> Q8_0");
        assertEquals(TensorType.Q4_K, find(w, "blk.4.ffn_down.weight").type(), "24 layers: layer 4 is not a more-bits layer");
        assertEquals(TensorType.Q6_K, find(w, "blk.5.ffn_down.weight").type(), "(5 - 24/8) % 3 == 2");
        assertEquals(TensorType.F32, find(w, "blk.0.attn_q.bias").type());
        GGUFMetadata md = w.metadata();
        assertEquals(151936, md.getStringArray("tokenizer.ggml.tokens").length, "padded to the shape's vocab");
        assertEquals("[PAD151935]", md.getStringArray("tokenizer.ggml.tokens")[151935]);
        assertEquals(151936, md.getIntArray("tokenizer.ggml.token_type").length);
        assertEquals(5, md.getIntArray("tokenizer.ggml.token_type")[151935], "padding is UNUSED");
        assertEquals("padded from 128256 with unused [PADi] tokens", md.getString("synth.vocab.fitted"));
    }

    @Test
    void trimmingDropsTokensAndMergesButMovesSpecialTokensIntoTheVocabulary() {
        ModelShape small = ModelShape.named("tiny").withVocab(1000);
        GGUFMetadata md = new Synthesizer(small, SynthType.F16, llama3Vocab, "vocab.gguf", 1).writer().metadata();
        String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
        assertEquals(1000, tokens.length);
        Set<String> kept = Set.of(tokens);
        String[] merges = md.getStringArray("tokenizer.ggml.merges");
        assertTrue(merges.length > 0 && merges.length < llama3Vocab.getStringArray("tokenizer.ggml.merges").length);
        for (String m : merges) {
            String[] parts = m.split(" ", 2);
            assertTrue(kept.contains(parts[0]) && kept.contains(parts[1]) && kept.contains(parts[0] + parts[1]), m);
        }
        // BOS (128000) and EOS are past the end: moved into the last slots, their strings kept
        String[] source = llama3Vocab.getStringArray("tokenizer.ggml.tokens");
        for (String special : new String[] {"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"}) {
            long id = md.getLong(special);
            assertTrue(id >= 990 && id < 1000, special + " = " + id);
            assertEquals(source[(int) llama3Vocab.getLong(special)], tokens[(int) id], special);
        }
        assertEquals(999, md.getLong("tokenizer.ggml.bos_token_id"), "the lowest moved id takes the last slot");
        assertEquals("trimmed from 128256 tokens", md.getString("synth.vocab.fitted"));
    }

    @Test
    void llama32OneBQ4_0HasTheExpectedSize() {
        GGUFWriter w = synth("llama-3.2-1b", SynthType.Q4_0, llama3Vocab).writer();
        long q4 = 18 / 32.0 == 0 ? 0 : 18; // bytes per block of 32
        long embedding = 128256L * 2048;
        long perLayerMatrices = 2048L * 2048 * 2 + 2048L * 512 * 2 + 3L * 2048 * 8192;
        long data = (embedding + 16 * perLayerMatrices) / 32 * q4 // every matrix Q4_0, embeddings tied
                + 16 * 2 * 2048 * 4L + 2048 * 4L // attn/ffn norms per layer + output norm, F32
                + 32 * 4L; // rope_freqs.weight
        assertEquals(695_378_048L, data, "the formula itself");
        List<TensorInfo> tensors = w.tensors();
        TensorInfo last = tensors.getLast();
        assertEquals(data, last.offset() + last.byteSize(), "every tensor size is a multiple of 32: no padding");
        assertEquals(1 + 1 + 16 * 9 + 1, tensors.size());
        assertNotNull(find(w, "rope_freqs.weight"));
        assertNull(find(w, "output.weight"));
        long header = w.fileSize() - data;
        assertTrue(header > 7_800_000 && header < 7_900_000 && header % 32 == 0, "the 128k-token vocab dominates the header: " + header);
    }

    private static TensorInfo find(GGUFWriter w, String name) {
        return w.tensors().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }
}
