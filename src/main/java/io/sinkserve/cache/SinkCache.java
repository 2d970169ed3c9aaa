package io.sinkserve.cache;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One sequence's StreamingLLM KV cache for all layers: {@code S} sink slots (the first tokens) followed by
 * a ring of {@code W} window slots, K and V per layer and KV head, off heap in one segment sized once.
 *
 * <p>Keys are stored rotated at their position in the stream. Sinks are the first tokens, so their stream
 * positions already are their cache positions 0..S-1; the window is contiguous, so the distance between a
 * query and a window key is the same in the stream and in the cache. {@link Attention} therefore scores the
 * window with the query at its stream position and the sinks with the query moved to its cache position:
 * exact StreamingLLM positions without ever re-rotating a cached key.
 *
 * <p>Layout: [layer][K,V][kvHead][slot][headDim], little-endian, so a head's keys are one contiguous run.
 * Not thread-safe for bookkeeping ({@link #admit}); different KV heads may be written and read concurrently.
 */
public final class SinkCache implements AutoCloseable {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    private static final int SNAPSHOT_MAGIC = 0x534B5631; // "SKV1"

    private final CacheConfig config;
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int sinkSlots;
    private final int window;
    private final int capacity;
    private final long headBytes;
    private final long slotBytes;
    private final Arena arena;
    private final MemorySegment data;

    private int sinksFilled;
    private int windowStart;
    private int windowCount;
    private long tokensSeen;
    private long evictions;
    private long evictedTokens;
    private EvictionListener listener;

    public SinkCache(CacheConfig config, int layers, int kvHeads, int headDim) {
        if (layers < 1 || kvHeads < 1 || headDim < 1) {
            throw new IllegalArgumentException("cache shape must be positive: layers " + layers + ", kv heads " + kvHeads + ", head dim " + headDim);
        }
        this.config = config;
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.sinkSlots = config.sinkSlots();
        this.window = config.window();
        this.capacity = config.capacity();
        this.slotBytes = (long) headDim * config.storage().bytes();
        this.headBytes = capacity * slotBytes;
        this.arena = Arena.ofShared();
        this.data = arena.allocate(config.bytes(layers, kvHeads, headDim), 64);
    }

    public CacheConfig config() {
        return config;
    }

    public int layers() {
        return layers;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    public int capacity() {
        return capacity;
    }

    /** Entries held now: sinks + window. */
    public int size() {
        return sinksFilled + windowCount;
    }

    /** Tokens fed since creation or the last reset, evicted or not. */
    public long tokensSeen() {
        return tokensSeen;
    }

    /** Eviction events. */
    public long evictions() {
        return evictions;
    }

    public long evictedTokens() {
        return evictedTokens;
    }

    /** Off-heap bytes held: {@link CacheConfig#bytes} for this shape, constant for the cache's life. */
    public long bytes() {
        return data.byteSize();
    }

    public void setListener(EvictionListener l) {
        this.listener = l;
    }

    /** Fails, changing nothing, if a dense cache has no room for {@code count} more tokens (streaming caches always have). */
    public void ensureRoom(int count) {
        if (config.policy() == EvictionPolicy.NONE && (long) size() + count > capacity) {
            throw new IllegalStateException("the dense cache holds " + capacity + " tokens; it has " + size()
                    + " and " + count + " more do not fit");
        }
    }

    /**
     * Admits the next {@code count} tokens in order, evicting as the policy says, and records what each one
     * sees in {@code views[from ..]}. A dense cache without room for all of them fails before changing anything.
     */
    public void admit(CacheView[] views, int from, int count) {
        ensureRoom(count);
        for (int i = 0; i < count; i++) {
            admit(views[from + i]);
        }
    }

    private void admit(CacheView view) {
        long position = tokensSeen++;
        if (sinksFilled < sinkSlots) {
            int slot = sinksFilled++;
            view.set(slot, sinksFilled, 0, 0, position, position);
            return;
        }
        if (windowCount == window) {
            evict();
        }
        int ring = (windowStart + windowCount) % window;
        windowCount++;
        view.set(sinkSlots + ring, sinksFilled, windowStart, windowCount, position, sinksFilled + windowCount - 1);
    }

    private void evict() {
        EvictionPolicy policy = config.policy();
        int n = policy == EvictionPolicy.BATCH ? config.batchSize() : 1;
        windowStart = (windowStart + n) % window;
        windowCount -= n;
        evictions++;
        evictedTokens += n;
        if (listener != null) {
            listener.evicted(policy, n);
        }
    }

    /** Stores one token's key and value for one KV head of a layer ({@code headDim} floats each). */
    public void write(int layer, int kvHead, int slot, float[] k, int kOff, float[] v, int vOff) {
        store(offset(layer, 0, kvHead, slot), k, kOff);
        store(offset(layer, 1, kvHead, slot), v, vOff);
    }

    private void store(long off, float[] src, int srcOff) {
        if (config.storage() == KvStorage.F32) {
            MemorySegment.copy(src, srcOff, data, FLOAT, off, headDim);
        } else {
            for (int d = 0; d < headDim; d++) {
                data.set(SHORT, off + 2L * d, Float.floatToFloat16(src[srcOff + d]));
            }
        }
    }

    /** The storage all K and V live in, for {@link Attention} to read in place. */
    MemorySegment data() {
        return data;
    }

    /** Byte offset of the key ({@code kind} 0) or value (1) of {@code slot} for one KV head of a layer; a head's slots are contiguous. */
    long offset(int layer, int kind, int kvHead, int slot) {
        return ((long) (layer * 2 + kind) * kvHeads + kvHead) * headBytes + slot * slotBytes;
    }

    /** Slots before the window ring: the sink region. */
    int sinkSlots() {
        return sinkSlots;
    }

    /** Slots of the window ring. */
    int window() {
        return window;
    }

    /** An independent cache with the same contents, counters and listener. */
    public SinkCache copy() {
        SinkCache c = new SinkCache(config, layers, kvHeads, headDim);
        MemorySegment.copy(data, 0, c.data, 0, data.byteSize());
        c.sinksFilled = sinksFilled;
        c.windowStart = windowStart;
        c.windowCount = windowCount;
        c.tokensSeen = tokensSeen;
        c.evictions = evictions;
        c.evictedTokens = evictedTokens;
        c.listener = listener;
        return c;
    }

    /** Empties the cache and zeroes its counters; the memory stays allocated. */
    public void reset() {
        sinksFilled = 0;
        windowStart = 0;
        windowCount = 0;
        tokensSeen = 0;
        evictions = 0;
        evictedTokens = 0;
    }

    /** Frees the off-heap memory; the cache must not be used afterwards. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /**
     * Writes config, shape, counters and only the entries held (sinks, then the window oldest first), so a
     * snapshot is as small as the cache's contents. The stream is not closed.
     */
    public void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream o = new DataOutputStream(out);
        o.writeInt(SNAPSHOT_MAGIC);
        o.writeInt(config.sinks());
        o.writeInt(config.window());
        o.writeInt(config.policy().ordinal());
        o.writeInt(config.batchSize());
        o.writeInt(config.storage().ordinal());
        o.writeInt(config.pinnedPrefix());
        o.writeInt(layers);
        o.writeInt(kvHeads);
        o.writeInt(headDim);
        o.writeInt(sinksFilled);
        o.writeInt(windowCount);
        o.writeLong(tokensSeen);
        o.writeLong(evictions);
        o.writeLong(evictedTokens);
        byte[] run = new byte[(int) (Math.max(sinkSlots, window) * slotBytes)];
        int firstRun = Math.min(windowCount, window - windowStart);
        for (int l = 0; l < layers; l++) {
            for (int kind = 0; kind < 2; kind++) {
                for (int h = 0; h < kvHeads; h++) {
                    copyOut(o, run, offset(l, kind, h, 0), sinksFilled);
                    copyOut(o, run, offset(l, kind, h, sinkSlots + windowStart), firstRun);
                    copyOut(o, run, offset(l, kind, h, sinkSlots), windowCount - firstRun);
                }
            }
        }
        o.flush();
    }

    private void copyOut(DataOutputStream o, byte[] run, long off, int slots) throws IOException {
        int n = (int) (slots * slotBytes);
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, off, run, 0, n);
        o.write(run, 0, n);
    }

    /** Reads a snapshot written by {@link #writeSnapshot}: the same entries, positions and counters. */
    public static SinkCache readSnapshot(InputStream in) throws IOException {
        DataInputStream i = new DataInputStream(in);
        if (i.readInt() != SNAPSHOT_MAGIC) {
            throw new IOException("not a sinkserve cache snapshot");
        }
        int sinks = i.readInt();
        int window = i.readInt();
        EvictionPolicy policy = enumAt(EvictionPolicy.values(), i.readInt(), "eviction policy");
        int batch = i.readInt();
        KvStorage storage = enumAt(KvStorage.values(), i.readInt(), "storage");
        int pinned = i.readInt();
        CacheConfig config;
        try {
            config = new CacheConfig(sinks, window, policy, batch, storage, pinned);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt cache snapshot: " + e.getMessage(), e);
        }
        int layers = i.readInt();
        int kvHeads = i.readInt();
        int headDim = i.readInt();
        int sinksFilled = i.readInt();
        int windowCount = i.readInt();
        long tokensSeen = i.readLong();
        if (layers < 1 || kvHeads < 1 || headDim < 1 || (long) layers * kvHeads * headDim > 1L << 24
                || sinksFilled < 0 || sinksFilled > config.sinkSlots() || windowCount < 0 || windowCount > window
                || (windowCount > 0 && sinksFilled < config.sinkSlots()) || tokensSeen < sinksFilled + windowCount) {
            throw new IOException("corrupt cache snapshot header");
        }
        SinkCache c = new SinkCache(config, layers, kvHeads, headDim);
        try {
            c.sinksFilled = sinksFilled;
            c.windowCount = windowCount;
            c.tokensSeen = tokensSeen;
            c.evictions = i.readLong();
            c.evictedTokens = i.readLong();
            byte[] run = new byte[(int) (Math.max(c.sinkSlots, window) * c.slotBytes)];
            for (int l = 0; l < layers; l++) {
                for (int kind = 0; kind < 2; kind++) {
                    for (int h = 0; h < kvHeads; h++) {
                        c.copyIn(i, run, c.offset(l, kind, h, 0), sinksFilled);
                        c.copyIn(i, run, c.offset(l, kind, h, c.sinkSlots), windowCount);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void copyIn(DataInputStream i, byte[] run, long off, int slots) throws IOException {
        int n = (int) (slots * slotBytes);
        i.readFully(run, 0, n);
        MemorySegment.copy(run, 0, data, ValueLayout.JAVA_BYTE, off, n);
    }

    private static <E extends Enum<E>> E enumAt(E[] values, int ordinal, String what) throws IOException {
        if (ordinal < 0 || ordinal >= values.length) {
            throw new IOException("corrupt cache snapshot: unknown " + what + " " + ordinal);
        }
        return values[ordinal];
    }
}
