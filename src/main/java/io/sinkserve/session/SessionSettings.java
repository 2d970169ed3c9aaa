package io.sinkserve.session;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.generate.SamplingParams;

import java.util.OptionalLong;

/**
 * How a session's cache is shaped and how it samples unless a request says otherwise.
 *
 * @param batchSize       tokens evicted at once under the batch policy
 * @param pinSystemPrompt keep the whole system prompt as sinks, so it survives eviction
 * @param seed            the seed of requests that name none; empty: each such request draws a fresh one
 */
public record SessionSettings(int sinks, int window, EvictionPolicy policy, int batchSize, KvStorage storage,
                              boolean pinSystemPrompt, SamplingParams sampling, OptionalLong seed) {

    public SessionSettings {
        if (sinks < 0 || window < 1 || batchSize < 1 || batchSize > window) {
            throw new IllegalArgumentException("need sinks >= 0, window >= 1 and 1 <= batch size <= window, got sinks "
                    + sinks + ", window " + window + ", batch size " + batchSize);
        }
    }

    /** The cache for a conversation whose system prompt takes {@code systemPromptTokens} tokens. */
    public CacheConfig cacheConfig(int systemPromptTokens) {
        return new CacheConfig(sinks, window, policy, batchSize, storage, pinSystemPrompt ? systemPromptTokens : 0);
    }
}
