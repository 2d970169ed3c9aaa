package io.sinkserve.cache;

import io.sinkserve.compute.HugePages;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

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
    private TurnUndo undo;   // non-null between checkpoint() and commit()/rollback()

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
        this.data = HugePages.allocate(config.bytes(layers, kvHeads, headDim), arena);
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

    /** Its size, fill, tokens seen, evictions and bytes, now. */
    public CacheStats stats() {
        return new CacheStats(capacity(), size(), tokensSeen(), evictions(), evictedTokens(), bytes());
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
     * sees in {@code admissions[from ..]}. A dense cache without room for all of them fails before changing anything.
     */
    public void admit(Admission[] admissions, int from, int count) {
        ensureRoom(count);
        for (int i = 0; i < count; i++) {
            admit(admissions[from + i]);
        }
    }

    private void admit(Admission admission) {
        long position = tokensSeen++;
        if (sinksFilled < sinkSlots) {
            int slot = sinksFilled++;
            admission.set(slot, sinksFilled, 0, 0, position, position);
            return;
        }
        if (windowCount == window) {
            evict();
        }
        int ring = (windowStart + windowCount) % window;
        if (undo != null) {
            undo.beforeWindowWrite(ring);
        }
        windowCount++;
        admission.set(sinkSlots + ring, sinksFilled, windowStart, windowCount, position, sinksFilled + windowCount - 1);
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

    /**
     * Marks the current contents so {@link #rollback} can restore them exactly, e.g. when a chat turn is cancelled
     * or fails mid-way. Until {@link #commit} or rollback, each window entry that was held here is copied aside the
     * first time a new token takes its slot, so the undo costs at most the tokens admitted meanwhile, never a copy
     * of the whole cache.
     */
    public void checkpoint() {
        undo = new TurnUndo(sinksFilled, windowStart, windowCount, tokensSeen, evictions, evictedTokens);
    }

    /** Keeps everything admitted since {@link #checkpoint} and drops the saved entries. */
    public void commit() {
        undo = null;
    }

    /** Restores the contents and counters of the last {@link #checkpoint}; without one, does nothing. */
    public void rollback() {
        TurnUndo u = undo;
        if (u == null) {
            return;
        }
        undo = null;
        u.restore();
        sinksFilled = u.sinksFilled;
        windowStart = u.windowStart;
        windowCount = u.windowCount;
        tokensSeen = u.tokensSeen;
        evictions = u.evictions;
        evictedTokens = u.evictedTokens;
    }

    /** Bytes the undo log of an open checkpoint holds (0 without one). */
    public long undoBytes() {
        TurnUndo u = undo;
        return u == null ? 0 : u.bytes();
    }

    /**
     * The state at a checkpoint plus the window entries overwritten since. Window admissions take ring slots in
     * order from {@code windowStart + windowCount}, so the k-th one after the checkpoint overwrites an entry held
     * at it exactly when {@code window - windowCount <= k < window}; later ones overwrite only new tokens.
     */
    private final class TurnUndo {
        final int sinksFilled;
        final int windowStart;
        final int windowCount;
        final long tokensSeen;
        final long evictions;
        final long evictedTokens;
        private int windowAdmitted;
        private int[] savedRings = new int[0];
        private byte[] saved = new byte[0];
        private int savedCount;

        TurnUndo(int sinksFilled, int windowStart, int windowCount, long tokensSeen, long evictions, long evictedTokens) {
            this.sinksFilled = sinksFilled;
            this.windowStart = windowStart;
            this.windowCount = windowCount;
            this.tokensSeen = tokensSeen;
            this.evictions = evictions;
            this.evictedTokens = evictedTokens;
        }

        private long entryBytes() {
            return 2L * layers * kvHeads * slotBytes;
        }

        void beforeWindowWrite(int ring) {
            int k = windowAdmitted++;
            if (k < window - windowCount || k >= window) {
                return;
            }
            long entry = entryBytes();
            if ((long) (savedCount + 1) * entry > saved.length) {
                int slots = Math.min(windowCount, Math.max(savedCount * 2, 16));
                saved = Arrays.copyOf(saved, Math.toIntExact(slots * entry));
                savedRings = Arrays.copyOf(savedRings, slots);
            }
            MemorySegment dst = MemorySegment.ofArray(saved);
            long at = savedCount * entry;
            for (int l = 0; l < layers; l++) {
                for (int kind = 0; kind < 2; kind++) {
                    for (int h = 0; h < kvHeads; h++) {
                        MemorySegment.copy(data, offset(l, kind, h, sinkSlots + ring), dst, at, slotBytes);
                        at += slotBytes;
                    }
                }
            }
            savedRings[savedCount++] = ring;
        }

        void restore() {
            MemorySegment src = MemorySegment.ofArray(saved);
            long at = 0;
            for (int i = 0; i < savedCount; i++) {
                for (int l = 0; l < layers; l++) {
                    for (int kind = 0; kind < 2; kind++) {
                        for (int h = 0; h < kvHeads; h++) {
                            MemorySegment.copy(src, at, data, offset(l, kind, h, sinkSlots + savedRings[i]), slotBytes);
                            at += slotBytes;
                        }
                    }
                }
            }
        }

        long bytes() {
            return saved.length;
        }
    }

    /** Empties the cache and zeroes its counters; the memory stays allocated. */
    public void reset() {
        undo = null;
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
