package io.sinkserve.model;

import io.sinkserve.cache.AttentionObserver;
import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.CacheStats;
import io.sinkserve.cache.EvictionListener;
import io.sinkserve.cache.SinkCache;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One token stream through a model: its KV cache and a bounded trail of the tokens fed (the last ones exactly,
 * all of them by count and hash; see {@link TokenTrail}), which a new chat turn is checked against. Its memory is
 * the cache's plus O(cache capacity), however long the stream. Admits one operation at a time; {@link Model}
 * serialises its forward passes.
 */
public final class CachedSequence implements Sequence {
    private final SinkCache cache;
    private final TokenTrail trail;
    private AttentionObserver observer;

    CachedSequence(SinkCache cache) {
        this(cache, new TokenTrail(cache.capacity()));
    }

    private CachedSequence(SinkCache cache, TokenTrail trail) {
        this.cache = cache;
        this.trail = trail;
    }

    public SinkCache cache() {
        return cache;
    }

    @Override
    public CacheConfig config() {
        return cache.config();
    }

    @Override
    public CacheStats stats() {
        return cache.stats();
    }

    @Override
    public void setEvictionListener(EvictionListener listener) {
        cache.setListener(listener);
    }

    /** The last {@code n} tokens fed, oldest first: all of them while fewer than the cache's capacity were fed. */
    @Override
    public int[] recentTokens(int n) {
        return trail.last(n);
    }

    /** True when {@code prompt} starts with every token fed so far and has more (exact over the kept tail, by hash before it). */
    @Override
    public boolean isPrefixOf(int[] prompt) {
        return trail.isPrefixOf(prompt);
    }

    /** Heap bytes the sequence keeps besides its off-heap cache: the token trail and an open checkpoint's undo log. */
    @Override
    public long heapBytes() {
        return trail.bytes() + cache.undoBytes();
    }

    /** Number of tokens fed (also those evicted from the cache). */
    public long tokensSeen() {
        return cache.tokensSeen();
    }

    /** Sees every head's attention weights of every token fed from now on; null (the default) costs nothing. */
    public void setAttentionObserver(AttentionObserver o) {
        this.observer = o;
    }

    AttentionObserver attentionObserver() {
        return observer;
    }

    void record(int[] tokens, int off, int n) {
        trail.add(tokens, off, n);
    }

    /** Marks the cache and trail so {@link #rollback} can undo what is fed next ({@link SinkCache#checkpoint}). */
    @Override
    public void checkpoint() {
        cache.checkpoint();
        trail.checkpoint();
    }

    /** Keeps what was fed since {@link #checkpoint}. */
    @Override
    public void commit() {
        cache.commit();
        trail.commit();
    }

    /** Forgets what was fed since {@link #checkpoint}: cache and trail are as they were then. */
    @Override
    public void rollback() {
        cache.rollback();
        trail.rollback();
    }

    /** An independent sequence with the same cache contents (a fork); its trail starts from the same tokens. */
    public CachedSequence copy() {
        TokenTrail t = new TokenTrail(cache.capacity());
        t.copyFrom(trail);
        return new CachedSequence(cache.copy(), t);
    }

    /** Forgets everything: empty cache and trail. */
    public void reset() {
        cache.reset();
        trail.reset();
    }

    /** Frees the cache memory; the sequence must not be used afterwards. */
    @Override
    public void close() {
        cache.close();
    }

    /** The token trail followed by the cache snapshot ({@link SinkCache#writeSnapshot}). */
    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream o = new DataOutputStream(out);
        trail.write(o);
        cache.writeSnapshot(o);
    }

    static CachedSequence readSnapshot(InputStream in) throws IOException {
        DataInputStream i = new DataInputStream(in);
        TokenTrail trail = TokenTrail.read(i);
        SinkCache cache = SinkCache.readSnapshot(i);
        if (cache.tokensSeen() != trail.count()) {
            cache.close();
            throw new IOException("corrupt sequence snapshot: a trail of " + trail.count() + " tokens but the cache saw "
                    + cache.tokensSeen());
        }
        return new CachedSequence(cache, trail);
    }
}
