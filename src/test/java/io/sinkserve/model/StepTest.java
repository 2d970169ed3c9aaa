package io.sinkserve.model;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.compute.ComputePool;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.synth.ModelShape;
import io.sinkserve.synth.SynthType;
import io.sinkserve.synth.Synthesizer;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * One forward pass per scheduler step: a step that runs a prompt chunk beside decode rows gives every group
 * the bits it gets in a step of its own, on float weights (stories260K) and block-quantised ones (a tiny Q4_0).
 */
class StepTest {
    private static final CacheConfig CACHE = CacheConfig.streaming(4, 300);
    private static final ModelShape TINY = new ModelShape("step", "llama", 256, 2, 2, 1, 256, 0, 256, 10000,
            1e-5f, true, null);

    @TempDir
    static Path dir;
    private static Model f32;
    private static Model q40;

    @BeforeAll
    static void load() throws IOException {
        f32 = Model.load(TestFiles.stories260K(), 2);
        GGUFMetadata vocab;
        try (GGUFFile f = GGUFFile.open(TestFiles.stories260K())) {
            vocab = f.metadata();
        }
        Path tiny = dir.resolve("tiny-q4_0.gguf");
        try (ComputePool pool = new ComputePool(1)) {
            new Synthesizer(TINY, SynthType.Q4_0, vocab, "stories260K", 3).write(tiny, pool);
        }
        q40 = Model.load(tiny, 2);
    }

    @AfterAll
    static void close() {
        f32.close();
        q40.close();
    }

    private static Model model(String name) {
        return name.equals("f32") ? f32 : q40;
    }

    private static int[] tokens(Random rnd, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1 + rnd.nextInt(500);
        }
        return t;
    }

    private static int[] bits(float[] logits) {
        int[] b = new int[logits.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = Float.floatToRawIntBits(logits[i]);
        }
        return b;
    }

    /**
     * Chunks of 5 (per-token kernels), 20 (the GEMM) and 200 tokens (cut across passes, and in the mixed
     * step at another place than alone), each beside three decode rows.
     */
    @ParameterizedTest
    @ValueSource(strings = {"f32", "q4_0"})
    void aChunkBesideDecodeRowsGivesEveryGroupTheBitsOfItsOwnStep(String name) {
        Model m = model(name);
        Random rnd = new Random(5);
        for (int chunkLength : new int[] {5, 20, 200}) {
            int[][] prompts = {tokens(rnd, 7), tokens(rnd, 3), tokens(rnd, 12)};
            int[] chunk = tokens(rnd, chunkLength);
            int[] next = tokens(rnd, 3);
            CachedSequence[] mixed = new CachedSequence[4];
            CachedSequence[] alone = new CachedSequence[4];
            try {
                for (int s = 0; s < 4; s++) {
                    mixed[s] = m.newSequence(CACHE);
                    alone[s] = m.newSequence(CACHE);
                }
                for (int s = 0; s < 3; s++) {
                    m.prefill(mixed[s], prompts[s]);
                    m.prefill(alone[s], prompts[s]);
                }
                m.prefill(mixed[3], new int[] {1});
                m.prefill(alone[3], new int[] {1});

                StepBatch step = new StepBatch();
                for (int s = 0; s < 3; s++) {
                    step.add(mixed[s], next, s, 1, true);
                }
                step.add(mixed[3], chunk, 0, chunk.length, true);
                m.step(step);

                float[][] decoded = m.decode(List.of(alone[0], alone[1], alone[2]), next.clone());
                float[] prefilled = m.prefill(alone[3], chunk);
                for (int s = 0; s < 3; s++) {
                    assertArrayEquals(bits(decoded[s]), bits(step.logits(s)), name + " decode row " + s + " beside a chunk of " + chunkLength);
                }
                assertArrayEquals(bits(prefilled), bits(step.logits(3)), name + " chunk of " + chunkLength);
                assertEquals(alone[3].tokensSeen(), mixed[3].tokensSeen());
            } finally {
                for (int s = 0; s < 4; s++) {
                    mixed[s].close();
                    alone[s].close();
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32"})
    void aGroupWithoutLogitsIsFedButAsksNothing(String name) {
        Model m = model(name);
        try (CachedSequence a = m.newSequence(CACHE); CachedSequence b = m.newSequence(CACHE)) {
            int[] prompt = {1, 40, 50, 60, 70, 80, 90, 100, 110, 120};
            StepBatch step = new StepBatch();
            step.add(a, prompt, 0, 6, false);
            m.step(step);
            step.clear();
            step.add(a, prompt, 6, 4, true);
            m.step(step);
            // 6 + 4 tokens take the per-token kernels, 10 at once the GEMM: equal up to the summation order
            assertArrayEquals(m.prefill(b, prompt), step.logits(0), 1e-4f, "a prompt fed in two steps");
            step.clear();
            step.add(a, prompt, 0, 1, false);
            m.step(step);
            assertThrows(IllegalStateException.class, () -> step.logits(0));
            assertThrows(IllegalArgumentException.class, () -> step.add(a, prompt, 0, 1, true), "a sequence twice in one step");
            assertEquals(11, a.tokensSeen());
            assertEquals(Arrays.toString(new int[] {120, 1}), Arrays.toString(a.recentTokens(2)));
        }
    }
}
