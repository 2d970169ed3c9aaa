package io.sinkserve.bench;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.model.CachedSequence;
import io.sinkserve.model.LogitsConsumer;
import io.sinkserve.model.Model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * llama-bench's two tests on one model. Prompt processing: a sequence prefills {@code p} random tokens as
 * one request. Text generation: sequences decode {@code n} tokens one step at a time, the logits of each
 * step going unread; one sequence is llama-bench's tg, several decoded together are what
 * llama-batched-bench measures. With a depth (llama-bench's {@code -d}) every test starts from a sequence
 * that already holds {@code depth} random tokens (BOS first when the vocabulary wants it), prefilled once
 * untimed and copied for each repetition, so long-context attention is what gets measured; without one it
 * starts empty (and tg's first token is BOS). Each call is one repetition and returns tokens per second;
 * caches are allocated and copied outside the timed region.
 */
public final class ThroughputBench implements AutoCloseable {
    private static final LogitsConsumer IGNORE_LOGITS = (index, logits, offset) -> { };

    private final Model model;
    private final KvStorage kvStorage;
    private final SplittableRandom random;
    private final int depth;
    private CachedSequence context;   // depth tokens prefilled, with room for the largest test so far

    public ThroughputBench(Model model, KvStorage kvStorage, long seed, int depth) {
        if (depth < 0) {
            throw new IllegalArgumentException("depth must not be negative, got " + depth);
        }
        this.model = model;
        this.kvStorage = kvStorage;
        this.random = new SplittableRandom(seed);
        this.depth = depth;
    }

    /** Tokens already in each sequence's cache when a test starts. */
    public int depth() {
        return depth;
    }

    /** Tokens/s of prefilling {@code p} tokens into an empty sequence. */
    public double promptRate(int p) {
        int[] tokens = randomTokens(p, depth == 0);
        try (CachedSequence seq = start(p)) {
            long t0 = System.nanoTime();
            model.prefill(seq, tokens);
            return rate(p, System.nanoTime() - t0);
        }
    }

    /**
     * Tokens/s of {@code n} decode steps, each advancing {@code sequences} fresh sequences by one token
     * together (one batched forward pass per step, as the scheduler's continuous batching does; 1 is
     * llama-bench's tg). Counts the tokens of all sequences.
     */
    public double generationRate(int n, int sequences) {
        int vocab = model.config().vocab();
        int[][] tokens = new int[n][];
        for (int i = 0; i < n; i++) {
            tokens[i] = random.ints(sequences, 0, vocab).toArray();
        }
        if (depth == 0 && model.tokenizer().addBosByDefault()) {
            Arrays.fill(tokens[0], model.tokenizer().bos());
        }
        List<CachedSequence> batch = new ArrayList<>();
        try {
            for (int s = 0; s < sequences; s++) {
                batch.add(start(n));
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                model.decode(batch, tokens[i], IGNORE_LOGITS);
            }
            return rate(n * sequences, System.nanoTime() - t0);
        } finally {
            batch.forEach(CachedSequence::close);
        }
    }

    /** A sequence holding the depth's tokens with room for {@code tokens} more. */
    CachedSequence start(int tokens) {
        if (depth == 0) {
            return model.newSequence(CacheConfig.dense(tokens).withStorage(kvStorage));
        }
        if (context == null || context.cache().capacity() < depth + tokens) {
            close();
            context = model.newSequence(CacheConfig.dense(depth + tokens).withStorage(kvStorage));
            model.prefill(context, randomTokens(depth, true));
        }
        return context.copy();
    }

    private int[] randomTokens(int n, boolean first) {
        int[] tokens = random.ints(n, 0, model.config().vocab()).toArray();
        if (first && model.tokenizer().addBosByDefault()) {
            tokens[0] = model.tokenizer().bos();
        }
        return tokens;
    }

    /** Frees the prefilled context, if any. */
    @Override
    public void close() {
        if (context != null) {
            context.close();
            context = null;
        }
    }

    private static double rate(int tokens, long nanos) {
        return tokens * 1e9 / nanos;
    }
}
