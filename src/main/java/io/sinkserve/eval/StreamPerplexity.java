package io.sinkserve.eval;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.model.CachedSequence;
import io.sinkserve.model.Model;

import java.util.Arrays;

/**
 * Perplexity over ONE long token stream, the StreamingLLM evaluation: every token after the first is
 * predicted from what the cache holds at that moment. {@code stream[0]} is normally BOS; predictions of
 * {@code stream[1..scored]} are scored.
 */
public final class StreamPerplexity {
    private StreamPerplexity() {
    }

    /**
     * Dense, window and streaming modes: one sequence with the given cache, the stream fed in chunks of
     * {@code chunk} tokens (the cache evicts inside a chunk exactly as it would token by token).
     */
    public static void cached(Model model, int[] stream, int scored, CacheConfig cache, int chunk,
                              PerplexityMeter meter) {
        checkScored(stream, scored);
        int vocab = model.config().vocab();
        try (CachedSequence seq = model.newSequence(cache)) {
            for (int from = 0; from < scored; from += chunk) {
                int base = from;
                model.forwardAll(seq, Arrays.copyOfRange(stream, from, Math.min(from + chunk, scored)),
                        (i, logits, offset) -> meter.add(logits, offset, vocab, stream[base + i + 1]));
            }
        }
    }

    /**
     * The paper's "sliding window with re-computation" baseline: each prediction re-encodes the last
     * {@code window} tokens from scratch in a fresh dense cache. Quality reference, O(window) per token.
     */
    public static void recompute(Model model, int[] stream, int scored, int window, PerplexityMeter meter) {
        checkScored(stream, scored);
        int vocab = model.config().vocab();
        try (CachedSequence seq = model.newSequence(CacheConfig.dense(window))) {
            for (int target = 1; target <= scored; target++) {
                seq.reset();
                float[] logits = model.prefill(seq, Arrays.copyOfRange(stream, Math.max(0, target - window), target));
                meter.add(logits, 0, vocab, stream[target]);
            }
        }
    }

    private static void checkScored(int[] stream, int scored) {
        if (scored < 1 || scored >= stream.length) {
            throw new IllegalArgumentException("can score 1.." + (stream.length - 1) + " tokens of this text, asked for " + scored);
        }
    }
}
