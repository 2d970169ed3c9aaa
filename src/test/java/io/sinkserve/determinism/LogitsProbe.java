package io.sinkserve.determinism;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.model.CachedSequence;
import io.sinkserve.model.Model;

import java.nio.file.Path;
import java.util.List;

/**
 * Run in a forked JVM by {@link KernelDeterminismTest}: for each model file, a 9-token prefill (the GEMM),
 * greedy decode steps alone (the per-token kernels) and the same step batched with a second sequence (the
 * small-batch kernels), hashing the bits of every logit. Prints one line per repeat and model:
 * {@code repeat file hash}; repeating in one JVM shows warm (C2-compiled) code gives the cold code's bits.
 *
 * <p>Arguments: threads repeats model...
 */
public final class LogitsProbe {
    /** Nine tokens: one more than MatMul's small batch, so the prefill takes the GEMM. */
    private static final int[] PROMPT = {1, 17, 300, 42, 5, 99, 250, 3, 77};
    private static final int STEPS = 2;

    private LogitsProbe() {
    }

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        int repeats = Integer.parseInt(args[1]);
        for (int r = 0; r < repeats; r++) {
            for (int i = 2; i < args.length; i++) {
                Path file = Path.of(args[i]);
                try (Model model = Model.load(file, threads)) {
                    System.out.println(r + " " + file.getFileName() + " " + Long.toHexString(hash(model)));
                }
            }
        }
    }

    private static long hash(Model model) {
        CacheConfig cache = CacheConfig.dense(64);
        long h = 0xcbf29ce484222325L;
        try (CachedSequence alone = model.newSequence(cache); CachedSequence other = model.newSequence(cache);
             CachedSequence batched = model.newSequence(cache)) {
            float[] logits = model.prefill(alone, PROMPT);
            model.prefill(batched, PROMPT);
            model.prefill(other, new int[] {2});
            h = mix(h, logits);
            for (int s = 0; s < STEPS; s++) {
                int next = argmax(logits);
                logits = model.decode(List.of(alone), new int[] {next})[0];
                float[] inBatch = model.decode(List.of(other, batched), new int[] {next, next})[1];
                h = mix(h, logits);
                if (!java.util.Arrays.equals(logits, inBatch)) {
                    // a different hash marks the run, so the test reports it
                    h = mix(h, inBatch);
                }
            }
        }
        return h;
    }

    private static long mix(long h, float[] values) {
        for (float v : values) {
            h = (h ^ Float.floatToRawIntBits(v)) * 0x100000001b3L;
        }
        return h;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
