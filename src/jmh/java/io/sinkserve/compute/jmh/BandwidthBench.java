package io.sinkserve.compute.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import io.sinkserve.bench.ReadBandwidth;
import io.sinkserve.compute.ComputePool;
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
 * ({@link ReadBandwidth}, what {@code bench --read-bandwidth} measures; a matvec reads its weights so); "copy" copies 256 MiB (the gigabytes counter counts the bytes
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

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private ComputePool pool;
    private MemorySegment src;
    private MemorySegment dst;
    private ReadBandwidth reader;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        src = arena.allocate(BYTES, 64);
        dst = arena.allocate(BYTES, 64);
        src.fill((byte) 1);
        dst.fill((byte) 0);
        pool = new ComputePool(threads);
        reader = new ReadBandwidth(src, threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float read(Traffic traffic) {
        float sum = reader.pass(pool);
        traffic.gigabytes += reader.bytesPerPass() * 1e-9;
        return sum;
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
