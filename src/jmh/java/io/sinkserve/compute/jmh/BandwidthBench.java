package io.sinkserve.compute.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import io.sinkserve.compute.ComputePool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's memory bandwidth, the ceiling for decode: "read" streams 256 MiB through vector adds
 * (what a matvec does with its weights); "copy" copies 256 MiB (the gigabytes counter counts the bytes
 * copied once; the bus carries them twice, read and write).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BandwidthBench {
    private static final long BYTES = 256L << 20;
    private static final int CHUNKS = 256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private ComputePool pool;
    private MemorySegment src;
    private MemorySegment dst;
    private final float[] sums = new float[CHUNKS];

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Traffic {
        public double gigabytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        src = arena.allocate(BYTES, 64);
        dst = arena.allocate(BYTES, 64);
        src.fill((byte) 1);
        dst.fill((byte) 0);
        pool = new ComputePool(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] read(Traffic traffic) {
        long chunk = BYTES / CHUNKS;
        pool.run(CHUNKS, 1, (from, to, worker) -> {
            for (int c = from; c < to; c++) {
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = FloatVector.zero(F);
                for (long o = c * chunk, end = o + chunk; o < end; o += 64) {
                    a0 = a0.add(FloatVector.fromMemorySegment(F, src, o, ByteOrder.LITTLE_ENDIAN));
                    a1 = a1.add(FloatVector.fromMemorySegment(F, src, o + 32, ByteOrder.LITTLE_ENDIAN));
                }
                sums[c] = a0.add(a1).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
            }
        });
        traffic.gigabytes += BYTES * 1e-9;
        return sums;
    }

    @Benchmark
    public MemorySegment copy(Traffic traffic) {
        long chunk = BYTES / CHUNKS;
        pool.run(CHUNKS, 1, (from, to, worker) ->
                MemorySegment.copy(src, (long) from * chunk, dst, (long) from * chunk, (long) (to - from) * chunk));
        traffic.gigabytes += BYTES * 1e-9;
        return dst;
    }
}
