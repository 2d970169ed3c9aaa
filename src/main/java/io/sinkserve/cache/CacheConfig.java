package io.sinkserve.cache;

import io.sinkserve.cache.InvalidCacheConfigException.Setting;

import java.util.OptionalInt;

/**
 * Shape and policy of one sequence's cache: {@code sinks} attention sinks (the first tokens, kept
 * forever) plus a rolling window of the {@code window} most recent tokens. {@code pinnedPrefix} keeps the
 * first N tokens (e.g. a system prompt) as sinks instead, so the sink region is {@code max(sinks,
 * pinnedPrefix)} tokens. {@code batchSize} is the block evicted at once under {@link EvictionPolicy#BATCH}.
 * The one place where cache settings are checked and where the defaults of unset ones are chosen.
 */
public record CacheConfig(int sinks, int window, EvictionPolicy policy, int batchSize, KvStorage storage, int pinnedPrefix) {

    public static final int DEFAULT_SINKS = 4;
    /** Largest window chosen when none is configured: bounds per-session memory on long-context models. */
    public static final int MAX_DEFAULT_WINDOW = 2048;

    public CacheConfig {
        atLeast(Setting.SINKS, sinks, 0);
        atLeast(Setting.PINNED_PREFIX, pinnedPrefix, 0);
        atLeast(Setting.WINDOW, window, 1);
        if (batchSize < 1 || batchSize > window) {
            throw new InvalidCacheConfigException(Setting.BATCH_SIZE,
                    "must be between 1 and the window (" + window + "), got " + batchSize);
        }
        if (policy == null) {
            throw new InvalidCacheConfigException(Setting.POLICY, "is required");
        }
        if (storage == null) {
            throw new InvalidCacheConfigException(Setting.STORAGE, "is required");
        }
        int sinkSlots = Math.max(sinks, pinnedPrefix);
        if ((long) sinkSlots + window > Integer.MAX_VALUE / 2) {
            throw new InvalidCacheConfigException(Setting.WINDOW, "must leave the cache (" + sinkSlots
                    + " sink slots + the window) at most " + Integer.MAX_VALUE / 2 + " tokens, got " + window);
        }
    }

    /**
     * The cache of configured settings, with the default of each one left unset: the window from the model's
     * trained context ({@link #defaultWindow}), the batch size from the window ({@link #defaultBatchSize}).
     */
    public static CacheConfig configured(int contextLength, int sinks, OptionalInt window, EvictionPolicy policy,
                                         OptionalInt batchSize, KvStorage storage) {
        if (window.isEmpty() && sinks >= contextLength) {
            throw new InvalidCacheConfigException(Setting.SINKS, "must leave room for a window in the model's context ("
                    + contextLength + " tokens) when no window is set, got " + sinks);
        }
        int w = window.orElse(defaultWindow(contextLength, sinks));
        return new CacheConfig(sinks, w, policy, batchSize.orElse(defaultBatchSize(w)), storage, 0);
    }

    /** The window used when none is configured: the model's trained context minus the sinks, at most {@link #MAX_DEFAULT_WINDOW}. */
    public static int defaultWindow(int contextLength, int sinks) {
        return Math.min(MAX_DEFAULT_WINDOW, contextLength - sinks);
    }

    /** The block evicted at once when none is configured: half the window. */
    public static int defaultBatchSize(int window) {
        return Math.max(1, window / 2);
    }

    /** StreamingLLM: {@code sinks} sinks + a window of {@code window}, token eviction, F32, the default batch size. */
    public static CacheConfig streaming(int sinks, int window) {
        return new CacheConfig(sinks, window, EvictionPolicy.TOKEN, defaultBatchSize(window), KvStorage.F32, 0);
    }

    /** No eviction: every token is kept at its own position, and feeding more than {@code capacity} tokens fails. */
    public static CacheConfig dense(int capacity) {
        return new CacheConfig(0, capacity, EvictionPolicy.NONE, capacity, KvStorage.F32, 0);
    }

    /** This cache, if its sinks and window fit in a model's trained context of {@code contextLength} tokens. */
    public CacheConfig requireWithin(int contextLength) {
        if (sinks >= contextLength) {
            throw new InvalidCacheConfigException(Setting.SINKS,
                    "must be below the model's context length (" + contextLength + "), got " + sinks);
        }
        if (sinks + window > contextLength) {
            throw new InvalidCacheConfigException(Setting.WINDOW, "must be at most the model's context length minus the sinks ("
                    + contextLength + " - " + sinks + " = " + (contextLength - sinks) + "), got " + window);
        }
        return this;
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

    private static void atLeast(Setting setting, int value, int min) {
        if (value < min) {
            throw new InvalidCacheConfigException(setting, "must be at least " + min + ", got " + value);
        }
    }
}
