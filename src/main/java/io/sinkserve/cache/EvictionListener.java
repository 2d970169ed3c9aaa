package io.sinkserve.cache;

public interface EvictionListener {
    void evicted(EvictionPolicy policy, int tokens);
}
