package io.sinkserve.eval;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.model.CachedSequence;
import io.sinkserve.model.Model;

import java.util.Arrays;

/**
 * Perplexity the way llama.cpp's {@code llama-perplexity} computes it, so numbers compare directly:
 * the tokenized text (BOS first when the vocabulary adds one) is cut into consecutive chunks of
 * {@code ctx} tokens; each chunk is evaluated in a fresh context with its first token replaced by BOS,
 * and only the predictions of its second half are scored (positions ctx/2 .. ctx-2 predict the next token).
 */
public final class ChunkedPerplexity {
    private ChunkedPerplexity() {
    }

    /** Tokens scored per chunk; a meter with this segment length reports one perplexity per chunk. */
    public static int scoredPerChunk(int ctx) {
        return ctx - ctx / 2 - 1;
    }

    /**
     * @param tokens the whole text tokenized with BOS (if the vocabulary wants one)
     * @param chunks how many chunks to evaluate, or a negative number for all that fit
     * @param storage how each chunk's (dense) cache holds keys and values
     */
    public static void run(Model model, int[] tokens, int ctx, int chunks, KvStorage storage, PerplexityMeter meter) {
        if (ctx < 4) {
            throw new IllegalArgumentException("--ctx must be at least 4, got " + ctx);
        }
        if (tokens.length < 2 * ctx) {
            throw new IllegalArgumentException("the text tokenizes to " + tokens.length + " tokens; at least "
                    + 2 * ctx + " are needed for a context of " + ctx + " (as llama-perplexity requires)");
        }
        int available = tokens.length / ctx;
        int n = chunks < 0 ? available : Math.min(chunks, available);
        int first = ctx / 2;
        int vocab = model.config().vocab();
        boolean addBos = model.tokenizer().addBosByDefault();
        for (int c = 0; c < n; c++) {
            int start = c * ctx;
            int[] chunk = Arrays.copyOfRange(tokens, start, start + ctx);
            if (addBos) {
                chunk[0] = model.tokenizer().bos();
            }
            try (CachedSequence seq = model.newSequence(CacheConfig.dense(ctx).withStorage(storage))) {
                model.forwardAll(seq, chunk, (j, logits, offset) -> {
                    if (j >= first && j < ctx - 1) {
                        meter.add(logits, offset, vocab, tokens[start + j + 1]);
                    }
                });
            }
        }
    }
}
