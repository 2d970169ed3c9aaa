package io.sinkserve.cache;

/** What a cache does when a new token arrives and its window is full. */
public enum EvictionPolicy {
    /** Each new token past capacity evicts the oldest window token. */
    TOKEN,
    /** When full, evict a block of the oldest window tokens at once (fewer, larger eviction events). */
    BATCH,
    /** Never evict: a dense cache for evaluation, full is an error. */
    NONE
}
