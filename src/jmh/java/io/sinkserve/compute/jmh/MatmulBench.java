package io.sinkserve.compute.jmh;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

import io.sinkserve.compute.ComputePool;
import io.sinkserve.compute.MatMul;
import io.sinkserve.compute.TensorType;
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

/** Prefill matmul: n tokens per weight pass; the "gflops" counter is 2 * rows * cols * n per call, in GFLOP/s. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MatmulBench {
    @Param({"Q4_0", "Q8_0", "Q4_K", "Q6_K", "F16"})
    public String type;
    @Param({"2048x8192", "8192x2048"})
    public String shape;
    @Param({"2"})
    public int threads;
    @Param({"64"})
    public int tokens;

    private Arena arena;
    private ComputePool pool;
    private MatMul matMul;
    private Weights weights;
    private float[] x;
    private float[] out;
    private double gflopPerCall;

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public double gflops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        int[] s = Weights.shape(shape);
        arena = Arena.ofShared();
        weights = new Weights(arena, TensorType.valueOf(type), s[0], s[1], false);
        pool = new ComputePool(threads);
        matMul = new MatMul(pool);
        x = Weights.activations(tokens * s[1]);
        out = new float[tokens * s[0]];
        gflopPerCall = 2.0 * s[0] * s[1] * tokens * 1e-9;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] matmul(Work work) {
        matMul.matmul(weights.ring[0], x, tokens, out);
        work.gflops += gflopPerCall;
        return out;
    }
}
