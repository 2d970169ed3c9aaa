package io.sinkserve.scheduler;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionListener;

import java.io.IOException;
import java.io.OutputStream;

/** One token stream with its own KV cache. Admits one operation at a time; close it to free the cache. */
public interface EngineSequence extends AutoCloseable {
    CacheConfig config();

    /** Every token fed so far, including those the cache has evicted. */
    int[] history();

    CacheStats stats();

    /** Told each time the cache evicts (called on the scheduler's worker thread). */
    void setEvictionListener(EvictionListener listener);

    /** Writes what {@link Engine#readSequence} needs to rebuild this sequence exactly; the stream is not closed. */
    void writeSnapshot(OutputStream out) throws IOException;

    @Override
    void close();
}
