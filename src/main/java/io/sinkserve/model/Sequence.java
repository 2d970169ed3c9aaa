package io.sinkserve.model;

import io.sinkserve.cache.AttentionObserver;
import io.sinkserve.cache.SinkCache;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * One token stream through a model: its KV cache and every token fed so far (the history a new chat turn
 * is diffed against). Admits one operation at a time; {@link Model} serialises its forward passes.
 */
public final class Sequence implements AutoCloseable {
    private final SinkCache cache;
    private int[] history;
    private int length;
    private AttentionObserver observer;

    Sequence(SinkCache cache) {
        this(cache, new int[64], 0);
    }

    private Sequence(SinkCache cache, int[] history, int length) {
        this.cache = cache;
        this.history = history;
        this.length = length;
    }

    public SinkCache cache() {
        return cache;
    }

    /** All tokens fed, oldest first (a copy). */
    public int[] history() {
        return Arrays.copyOf(history, length);
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
        if (length + n > history.length) {
            history = Arrays.copyOf(history, Math.max(history.length * 2, length + n));
        }
        System.arraycopy(tokens, off, history, length, n);
        length += n;
    }

    /** An independent sequence with the same cache contents and history (a fork). */
    public Sequence copy() {
        return new Sequence(cache.copy(), history.clone(), length);
    }

    /** Forgets everything: empty cache and history. */
    public void reset() {
        cache.reset();
        length = 0;
    }

    /** Frees the cache memory; the sequence must not be used afterwards. */
    @Override
    public void close() {
        cache.close();
    }

    /** History followed by the cache snapshot ({@link SinkCache#writeSnapshot}). */
    public void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream o = new DataOutputStream(out);
        o.writeInt(length);
        for (int i = 0; i < length; i++) {
            o.writeInt(history[i]);
        }
        cache.writeSnapshot(o);
    }

    static Sequence readSnapshot(InputStream in) throws IOException {
        DataInputStream i = new DataInputStream(in);
        int n = i.readInt();
        if (n < 0 || n > 1 << 28) {
            throw new IOException("corrupt sequence snapshot: history of " + n + " tokens");
        }
        int[] history = new int[Math.max(n, 64)];
        for (int k = 0; k < n; k++) {
            history[k] = i.readInt();
        }
        SinkCache cache = SinkCache.readSnapshot(i);
        if (cache.tokensSeen() != n) {
            cache.close();
            throw new IOException("corrupt sequence snapshot: " + n + " tokens of history but the cache saw " + cache.tokensSeen());
        }
        return new Sequence(cache, history, n);
    }
}
