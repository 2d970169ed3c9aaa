package io.sinkserve.cache;

import io.sinkserve.compute.FixedOrder;
import io.sinkserve.compute.VectorWidth;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Scaled dot-product attention of the query heads that share one KV head, over a {@link SinkCache} as a
 * {@link Admission} sees it, with StreamingLLM positions: window keys are scored with the query at its
 * stream position (the window is contiguous, so distances are unchanged), sink keys with the query rotated
 * to its cache position. One instance per worker thread: it owns its scratch.
 *
 * <p>Keys and values are read where the cache stores them, at most three contiguous runs of slots (the
 * sinks, the window to the end of its ring, the wrapped rest), in tiles of {@link #TILE} slots. F32 rows
 * whose length is a whole number of logical vectors are read straight from the off-heap segment; F16 rows
 * (the Vector API has no half-to-float lane conversion) and odd head dims are decoded a tile at a time into
 * a zero-padded L1-sized scratch with a {@link Float#float16ToFloat} loop, which C2 compiles to the CPU's
 * conversion instruction, and that tile is shared by every query head of the group (GQA).
 *
 * <p>The bits do not depend on the vector width or the JIT tier: a score is 16 logical partial sums of
 * fused multiply-adds (dimension d to lane d mod 16, rows zero-padded to a multiple of 16) folded in
 * halves ({@link FixedOrder#sum16}); the softmax is {@link FixedOrderSoftmax}; each output
 * dimension is one chain of fused multiply-adds over the keys in cache order.
 */
public final class Attention {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final int L = VectorWidth.LANES;
    private static final int LOGICAL = VectorWidth.LOGICAL_LANES;
    /** Slots per tile: a 64-dim F32 tile is 16 KB, half of a typical L1. */
    static final int TILE = 64;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private final int headDim;
    /** headDim rounded up to whole logical vectors. */
    private final int paddedDim;
    private final float scale;
    private final float[] tile;
    private final MemorySegment tileSegment;
    private float[] query = new float[0];       // heads x paddedDim, zero-padded
    private float[] sinkQuery = new float[0];   // the same, rotated to the cache position
    private float[] output = new float[0];      // heads x paddedDim accumulators
    private float[][] weights = new float[0][];

    public Attention(Rope rope) {
        this.headDim = rope.headDim();
        this.paddedDim = FixedOrderSoftmax.padded(headDim);
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.tile = new float[TILE * paddedDim];
        this.tileSegment = MemorySegment.ofArray(tile);
    }

    /**
     * Attention output of query heads {@code firstHead .. firstHead + heads - 1}, which all read KV head
     * {@code kvHead}: head {@code firstHead + h} reads its query (rotated at {@code admission.position()}) from
     * {@code q[qOff + h * headDim ..]} and writes its output to {@code out[outOff + h * headDim ..]}. Row
     * {@code row} of {@code sinkShift} holds the rotation by {@code admission.cachePosition() - admission.position()}.
     */
    public void attend(SinkCache cache, int layer, Admission admission, int firstHead, int heads, int kvHead,
                       float[] q, int qOff, float[] out, int outOff, RopeTable sinkShift, int row,
                       AttentionObserver observer) {
        int n = admission.count();
        reserve(heads, cache.capacity());
        for (int h = 0; h < heads; h++) {
            System.arraycopy(q, qOff + h * headDim, query, h * paddedDim, headDim);
        }
        boolean shifted = admission.sinks > 0 && admission.cachePosition != admission.position;
        if (shifted) {
            System.arraycopy(query, 0, sinkQuery, 0, heads * paddedDim);
            sinkShift.rotate(sinkQuery, 0, heads, paddedDim, row);
        }
        boolean direct = cache.config().storage() == KvStorage.F32 && paddedDim == headDim;
        long keys = cache.offset(layer, 0, kvHead, 0);
        long values = cache.offset(layer, 1, kvHead, 0);
        int first = Math.min(admission.windowCount, cache.window() - admission.windowStart);

        score(cache, direct, keys, 0, admission.sinks, 0, shifted ? sinkQuery : query, heads);
        score(cache, direct, keys, cache.sinkSlots() + admission.windowStart, first, admission.sinks, query, heads);
        score(cache, direct, keys, cache.sinkSlots(), admission.windowCount - first, admission.sinks + first, query, heads);
        for (int h = 0; h < heads; h++) {
            FixedOrderSoftmax.softmax(weights[h], n);
            if (observer != null) {
                observer.observe(layer, firstHead + h, admission, weights[h]);
            }
        }
        Arrays.fill(output, 0, heads * paddedDim, 0f);
        mix(cache, direct, values, 0, admission.sinks, 0, heads);
        mix(cache, direct, values, cache.sinkSlots() + admission.windowStart, first, admission.sinks, heads);
        mix(cache, direct, values, cache.sinkSlots(), admission.windowCount - first, admission.sinks + first, heads);
        for (int h = 0; h < heads; h++) {
            System.arraycopy(output, h * paddedDim, out, outOff + h * headDim, headDim);
        }
    }

    private void reserve(int heads, int capacity) {
        int entries = FixedOrderSoftmax.padded(capacity);
        if (weights.length < heads || weights[0].length < entries) {
            // Grows to the largest group and cache this thread has served, once.
            int old = weights.length == 0 ? 0 : weights[0].length;
            weights = new float[Math.max(heads, weights.length)][Math.max(entries, old)];
            query = new float[weights.length * paddedDim];
            sinkQuery = new float[weights.length * paddedDim];
            output = new float[weights.length * paddedDim];
        }
    }

    /** Scores {@code count} keys from {@code slot} on into {@code weights[h][at ..]}. */
    private void score(SinkCache cache, boolean direct, long base, int slot, int count, int at, float[] qs, int heads) {
        for (int t = 0; t < count; t += TILE) {
            int n = Math.min(TILE, count - t);
            MemorySegment rows = direct ? cache.data() : decode(cache, base, slot + t, n);
            long off = direct ? base + (long) (slot + t) * headDim * Float.BYTES : 0;
            long stride = (long) paddedDim * Float.BYTES;
            for (int h = 0; h < heads; h++) {
                float[] w = weights[h];
                int qOff = h * paddedDim;
                for (int i = 0; i < n; i++) {
                    w[at + t + i] = dot(qs, qOff, rows, off + i * stride) * scale;
                }
            }
        }
    }

    /** q[qOff .. + paddedDim) · the row at {@code k[kOff ..]} in the fixed logical order. */
    private float dot(float[] q, int qOff, MemorySegment k, long kOff) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int d = 0; d < paddedDim; d += LOGICAL) {
            long o = kOff + (long) d * Float.BYTES;
            a0 = FloatVector.fromArray(F, q, qOff + d).fma(FloatVector.fromMemorySegment(F, k, o, LE), a0);
            if (L <= 8) {
                a1 = FloatVector.fromArray(F, q, qOff + d + L).fma(FloatVector.fromMemorySegment(F, k, o + 4L * L, LE), a1);
            }
            if (L == 4) {
                a2 = FloatVector.fromArray(F, q, qOff + d + 2 * L).fma(FloatVector.fromMemorySegment(F, k, o + 8L * L, LE), a2);
                a3 = FloatVector.fromArray(F, q, qOff + d + 3 * L).fma(FloatVector.fromMemorySegment(F, k, o + 12L * L, LE), a3);
            }
        }
        return FixedOrder.sum16(a0, a1, a2, a3);
    }

    /** Adds the weighted values of {@code count} slots from {@code slot} on (weights from {@code at}) to every head's output. */
    private void mix(SinkCache cache, boolean direct, long base, int slot, int count, int at, int heads) {
        long stride = (long) paddedDim * Float.BYTES;
        for (int t = 0; t < count; t += TILE) {
            int n = Math.min(TILE, count - t);
            MemorySegment rows = direct ? cache.data() : decode(cache, base, slot + t, n);
            long off = direct ? base + (long) (slot + t) * headDim * Float.BYTES : 0;
            for (int h = 0; h < heads; h++) {
                accumulate(weights[h], at + t, n, rows, off, stride, h * paddedDim);
            }
        }
    }

    /** output[o .. + paddedDim) += sum over i < n of w[at + i] * row i, one fused chain per dimension, keys in order. */
    private void accumulate(float[] w, int at, int n, MemorySegment rows, long off, long stride, int o) {
        int d = 0;
        // Four independent chains at a time, so the loop is bound by FMA throughput, not latency.
        for (; d + 4 * L <= paddedDim; d += 4 * L) {
            FloatVector a0 = FloatVector.fromArray(F, output, o + d);
            FloatVector a1 = FloatVector.fromArray(F, output, o + d + L);
            FloatVector a2 = FloatVector.fromArray(F, output, o + d + 2 * L);
            FloatVector a3 = FloatVector.fromArray(F, output, o + d + 3 * L);
            long r = off + (long) d * Float.BYTES;
            for (int i = 0; i < n; i++, r += stride) {
                FloatVector p = FloatVector.broadcast(F, w[at + i]);
                a0 = FloatVector.fromMemorySegment(F, rows, r, LE).fma(p, a0);
                a1 = FloatVector.fromMemorySegment(F, rows, r + 4L * L, LE).fma(p, a1);
                a2 = FloatVector.fromMemorySegment(F, rows, r + 8L * L, LE).fma(p, a2);
                a3 = FloatVector.fromMemorySegment(F, rows, r + 12L * L, LE).fma(p, a3);
            }
            a0.intoArray(output, o + d);
            a1.intoArray(output, o + d + L);
            a2.intoArray(output, o + d + 2 * L);
            a3.intoArray(output, o + d + 3 * L);
        }
        for (; d < paddedDim; d += L) {
            FloatVector a = FloatVector.fromArray(F, output, o + d);
            long r = off + (long) d * Float.BYTES;
            for (int i = 0; i < n; i++, r += stride) {
                a = FloatVector.fromMemorySegment(F, rows, r, LE).fma(FloatVector.broadcast(F, w[at + i]), a);
            }
            a.intoArray(output, o + d);
        }
    }

    /** Decodes {@code n} rows from {@code slot} into the zero-padded tile, returning it as a segment. */
    private MemorySegment decode(SinkCache cache, long base, int slot, int n) {
        MemorySegment data = cache.data();
        long off = base + (long) slot * headDim * cache.config().storage().bytes();
        if (cache.config().storage() == KvStorage.F32) {
            for (int i = 0; i < n; i++) {
                MemorySegment.copy(data, FLOAT, off + (long) i * headDim * Float.BYTES, tile, i * paddedDim, headDim);
            }
        } else if (paddedDim == headDim) {
            for (int i = 0, m = n * headDim; i < m; i++) {
                tile[i] = Float.float16ToFloat(data.get(SHORT, off + 2L * i));
            }
        } else {
            for (int i = 0; i < n; i++) {
                long r = off + 2L * i * headDim;
                for (int d = 0, t = i * paddedDim; d < headDim; d++) {
                    tile[t + d] = Float.float16ToFloat(data.get(SHORT, r + 2L * d));
                }
            }
        }
        return tileSegment;
    }
}
