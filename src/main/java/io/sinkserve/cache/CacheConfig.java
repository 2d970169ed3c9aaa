package io.sinkserve.cache;

/**
 * Shape and policy of one sequence's cache: {@code sinks} attention sinks (the first tokens, kept
 * forever) plus a rolling window of the {@code window} most recent tokens. {@code pinnedPrefix} keeps the
 * first N tokens (e.g. a system prompt) as sinks instead, so the sink region is {@code max(sinks,
 * pinnedPrefix)} tokens. {@code batchSize} is the block evicted at once under {@link EvictionPolicy#BATCH}.
 */
public record CacheConfig(int sinks, int window, EvictionPolicy policy, int batchSize, KvStorage storage, int pinnedPrefix) {

    public static final int DEFAULT_SINKS = 4;
    /** Largest window chosen when none is configured: bounds per-session memory on long-context models. */
    public static final int MAX_DEFAULT_WINDOW = 2048;

    public CacheConfig {
        if (sinks < 0 || pinnedPrefix < 0) {
            throw new IllegalArgumentException("sinks and pinned prefix must not be negative, got " + sinks + " and " + pinnedPrefix);
        }
        if (window < 1) {
            throw new IllegalArgumentException("the window must hold at least one token, got " + window);
        }
        if (batchSize < 1 || batchSize > window) {
            throw new IllegalArgumentException("eviction batch size must be in 1.." + window + " (the window), got " + batchSize);
        }
        if (policy == null || storage == null) {
            throw new IllegalArgumentException("policy and storage are required");
        }
        if ((long) Math.max(sinks, pinnedPrefix) + window > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("cache capacity too large: " + Math.max(sinks, pinnedPrefix) + " + " + window);
        }
    }

    /** The window used when none is configured: the model's trained context minus the sinks, at most {@link #MAX_DEFAULT_WINDOW}. */
    public static int defaultWindow(int contextLength, int sinks) {
        return Math.min(MAX_DEFAULT_WINDOW, contextLength - sinks);
    }

    /** StreamingLLM: {@code sinks} sinks + a window of {@code window}, token eviction, F32, batch block W/2. */
    public static CacheConfig streaming(int sinks, int window) {
        return new CacheConfig(sinks, window, EvictionPolicy.TOKEN, Math.max(1, window / 2), KvStorage.F32, 0);
    }

    /** No eviction: every token is kept at its own position, and feeding more than {@code capacity} tokens fails. */
    public static CacheConfig dense(int capacity) {
        return new CacheConfig(0, capacity, EvictionPolicy.NONE, capacity, KvStorage.F32, 0);
    }

    public CacheConfig withPolicy(EvictionPolicy p) {
        return new CacheConfig(sinks, window, p, batchSize, storage, pinnedPrefix);
    }

    public CacheConfig withBatchSize(int b) {
        return new CacheConfig(sinks, window, policy, b, storage, pinnedPrefix);
    }

    public CacheConfig withStorage(KvStorage s) {
        return new CacheConfig(sinks, window, policy, batchSize, s, pinnedPrefix);
    }

    public CacheConfig withPinnedPrefix(int n) {
        return new CacheConfig(sinks, window, policy, batchSize, storage, n);
    }

    /** Tokens held as sinks: the first {@code max(sinks, pinnedPrefix)} tokens of the sequence. */
    public int sinkSlots() {
        return Math.max(sinks, pinnedPrefix);
    }

    public int capacity() {
        return sinkSlots() + window;
    }

    /** Off-heap bytes of one cache: K and V for every layer, slot, KV head and head dimension. */
    public long bytes(int layers, int kvHeads, int headDim) {
        return 2L * layers * capacity() * kvHeads * headDim * storage.bytes();
    }
}
