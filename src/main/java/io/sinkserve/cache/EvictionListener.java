package io.sinkserve.cache;

/** Told of every eviction event (the metrics layer counts them); called on the thread that feeds the cache. */
@FunctionalInterface
public interface EvictionListener {
    void evicted(EvictionPolicy policy, int tokens);
}
