package io.sinkserve.compute.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

import io.sinkserve.compute.ComputePool;
import io.sinkserve.compute.MatMul;
import io.sinkserve.compute.Matrix;
import io.sinkserve.compute.TensorType;
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
 * Decode matvec: weight bytes read per second (the "gigabytes" counter, in GB/s), weights streamed from
 * memory. Shapes are rows x cols: 2048x8192 is Llama-3.2-1B's FFN down projection, 8192x2048 gate/up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MatvecBench {
    @Param({"Q4_0", "Q8_0", "Q4_K", "Q6_K", "F16"})
    public String type;
    @Param({"2048x8192", "8192x2048"})
    public String shape;
    @Param({"1", "2"})
    public int threads;
    /** false: one matrix, cache-resident when small: the kernel's own speed, for tuning. */
    @Param({"true"})
    public boolean fromMemory;

    private Arena arena;
    private ComputePool pool;
    private MatMul matMul;
    private Weights weights;
    private float[] x;
    private float[] out;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = Weights.shape(shape);
        arena = Arena.ofShared();
        weights = new Weights(arena, TensorType.valueOf(type), s[0], s[1], fromMemory);
        pool = new ComputePool(threads);
        matMul = new MatMul(pool);
        x = Weights.activations(s[1]);
        out = new float[s[0]];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] matvec(Traffic traffic) {
        Matrix w = weights.ring[next];
        next = next + 1 == weights.ring.length ? 0 : next + 1;
        matMul.matvec(w, x, 0, out, 0);
        traffic.gigabytes += weights.bytesPerMatrix * 1e-9;
        return out;
    }
}
