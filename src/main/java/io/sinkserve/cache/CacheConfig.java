package io.sinkserve.cache;

public record CacheConfig(int sinks, int window, EvictionPolicy policy, int batchSize, KvStorage storage, int pinnedPrefix) {
    public int capacity() {
        return Math.max(sinks, pinnedPrefix) + window;
    }
}
