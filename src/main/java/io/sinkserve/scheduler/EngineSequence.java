package io.sinkserve.scheduler;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.CacheStats;
import io.sinkserve.cache.EvictionListener;

import java.io.IOException;
import java.io.OutputStream;

/** One token stream with its own KV cache. Admits one operation at a time; close it to free the cache. */
public interface EngineSequence extends AutoCloseable {
    CacheConfig config();

    /** True when {@code prompt} starts with every token fed so far and has more (see {@code Sequence#isPrefixOf}). */
    boolean isPrefixOf(int[] prompt);

    /** Heap bytes kept besides the off-heap cache (the token trail, an open checkpoint's undo log). */
    long heapBytes();

    /** The last {@code n} tokens fed (fewer if fewer were), oldest first: what sampling penalties look back at. */
    int[] recentTokens(int n);

    CacheStats stats();

    /** Marks the state so {@link #rollback} can undo what the next turn feeds (see {@code SinkCache#checkpoint}). */
    void checkpoint();

    /** Keeps what was fed since the checkpoint. */
    void commit();

    /** Undoes what was fed since the checkpoint: a cancelled or failed turn leaves the sequence as it was. */
    void rollback();

    /** Told each time the cache evicts (called on the scheduler's worker thread). */
    void setEvictionListener(EvictionListener listener);

    /** Writes what {@link Engine#readSequence} needs to rebuild this sequence exactly; the stream is not closed. */
    void writeSnapshot(OutputStream out) throws IOException;

    @Override
    void close();
}
