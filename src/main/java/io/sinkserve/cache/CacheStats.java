package io.sinkserve.cache;

/** A snapshot of one sequence's KV cache. */
public record CacheStats(int capacity, int size, long tokensSeen, long evictions, long evictedTokens, long bytes) {
}
