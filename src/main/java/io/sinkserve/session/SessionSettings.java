package io.sinkserve.session;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.generate.SamplingParams;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * How a session's cache is shaped and how it samples unless a request says otherwise.
 *
 * @param cache           the cache of every sequence of the session, with no pinned prefix: what is pinned
 *                        depends on each conversation's system prompt
 * @param pinSystemPrompt keep the whole system prompt as sinks, so it survives eviction
 * @param seed            the seed of requests that name none; empty: each such request draws a fresh one
 */
public record SessionSettings(CacheConfig cache, boolean pinSystemPrompt, SamplingParams sampling, OptionalLong seed) {

    public SessionSettings {
        Objects.requireNonNull(cache, "cache");
        if (cache.pinnedPrefix() != 0) {
            throw new IllegalArgumentException("a session pins its system prompt (pinSystemPrompt), not a fixed prefix;"
                    + " got a pinned prefix of " + cache.pinnedPrefix());
        }
    }

    /** The cache for a conversation whose system prompt takes {@code systemPromptTokens} tokens. */
    public CacheConfig cacheConfig(int systemPromptTokens) {
        return pinSystemPrompt ? cache.withPinnedPrefix(systemPromptTokens) : cache;
    }
}
