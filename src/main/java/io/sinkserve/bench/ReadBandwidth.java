package io.sinkserve.bench;

import io.sinkserve.compute.ComputePool;
import io.sinkserve.compute.HugePages;
import io.sinkserve.compute.VectorWidth;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's memory read bandwidth as the compute threads see it: a {@link ComputePool} of the given
 * size sums an off-heap buffer far larger than the caches with vector loads, every thread claiming chunks
 * as the kernels do. Reports the best of several passes (as STREAM does), bytes per second: the ceiling a
 * decode step, which reads every weight once, can approach.
 */
public final class ReadBandwidth {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    /** Bytes a compute thread claims at a time. */
    public static final int CHUNK = 1 << 20;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Where the sums go, so the JIT cannot drop the loads. */
    private static volatile float sink;

    private final MemorySegment buffer;
    private final int chunks;
    private final float[] sums;

    /** A reader of {@code buffer} (whole {@link #CHUNK}s; the rest is not read) for a pool of {@code threads}. */
    public ReadBandwidth(MemorySegment buffer, int threads) {
        this.buffer = buffer;
        this.chunks = (int) Math.min(Integer.MAX_VALUE, buffer.byteSize() / CHUNK);
        this.sums = new float[threads];
    }

    /** Bytes one {@link #pass} reads. */
    public long bytesPerPass() {
        return (long) chunks * CHUNK;
    }

    /** One pass: the pool's threads sum the buffer's chunks with vector loads; returns the sum, so no load is dead. */
    public float pass(ComputePool pool) {
        Arrays.fill(sums, 0);
        pool.run(chunks, 1, this::sumChunks);
        return checksum();
    }

    /** Best read rate, bytes/s, over {@code passes} passes over a buffer of {@code bytes} (rounded down to whole MiB). */
    public static double measure(int threads, long bytes, int passes) {
        if (bytes < CHUNK || passes < 1) {
            throw new IllegalArgumentException("need at least 1 MiB and one pass, got " + bytes + " bytes and " + passes);
        }
        int chunks = (int) Math.min(Integer.MAX_VALUE, bytes / CHUNK);
        try (Arena arena = Arena.ofShared(); ComputePool pool = new ComputePool(threads)) {
            // on huge pages where Linux gives them, as the repacked weights are (HugePages)
            MemorySegment buffer = HugePages.allocate((long) chunks * CHUNK, arena);
            buffer.fill((byte) 1);   // fault every page in before timing
            ReadBandwidth r = new ReadBandwidth(buffer, threads);
            double best = 0;
            float sum = 0;
            for (int p = 0; p < passes; p++) {
                long t0 = System.nanoTime();
                sum += r.pass(pool);
                best = Math.max(best, r.bytesPerPass() * 1e9 / (System.nanoTime() - t0));
            }
            sink = sum;
            return best;
        }
    }

    private void sumChunks(int from, int to, int worker) {
        int step = F.vectorByteSize();
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (long o = (long) from * CHUNK, end = (long) to * CHUNK; o < end; o += 4L * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, buffer, o, LE));
            a1 = a1.add(FloatVector.fromMemorySegment(F, buffer, o + step, LE));
            a2 = a2.add(FloatVector.fromMemorySegment(F, buffer, o + 2L * step, LE));
            a3 = a3.add(FloatVector.fromMemorySegment(F, buffer, o + 3L * step, LE));
        }
        sums[worker] += a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    private float checksum() {
        float s = 0;
        for (float x : sums) {
            s += x;
        }
        return s;
    }
}
