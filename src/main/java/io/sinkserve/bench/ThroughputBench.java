package io.sinkserve.bench;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.model.LogitsSink;
import io.sinkserve.model.Model;
import io.sinkserve.model.Sequence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * llama-bench's two tests on one model. Prompt processing: a fresh sequence prefills {@code p} random tokens
 * as one request. Text generation: fresh sequences decode {@code n} tokens one step at a time (BOS first
 * when the vocabulary wants it, then random tokens), the logits of each step going unread; one sequence
 * is llama-bench's tg, several decoded together are what llama-batched-bench measures. Each call is one
 * repetition and returns tokens per second; the sequence's cache is allocated outside the timed region.
 */
public final class ThroughputBench {
    private static final LogitsSink IGNORE_LOGITS = (index, logits, offset) -> { };

    private final Model model;
    private final KvStorage kvStorage;
    private final SplittableRandom random;

    public ThroughputBench(Model model, KvStorage kvStorage, long seed) {
        this.model = model;
        this.kvStorage = kvStorage;
        this.random = new SplittableRandom(seed);
    }

    /** Tokens/s of prefilling {@code p} tokens into an empty sequence. */
    public double promptRate(int p) {
        int[] tokens = random.ints(p, 0, model.config().vocab()).toArray();
        if (model.tokenizer().addBosByDefault()) {
            tokens[0] = model.tokenizer().bos();
        }
        try (Sequence seq = model.newSequence(cache(p))) {
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
        if (model.tokenizer().addBosByDefault()) {
            Arrays.fill(tokens[0], model.tokenizer().bos());
        }
        List<Sequence> batch = new ArrayList<>();
        try {
            for (int s = 0; s < sequences; s++) {
                batch.add(model.newSequence(cache(n)));
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                model.decode(batch, tokens[i], IGNORE_LOGITS);
            }
            return rate(n * sequences, System.nanoTime() - t0);
        } finally {
            batch.forEach(Sequence::close);
        }
    }

    private CacheConfig cache(int tokens) {
        return CacheConfig.dense(tokens).withStorage(kvStorage);
    }

    private static double rate(int tokens, long nanos) {
        return tokens * 1e9 / nanos;
    }
}
