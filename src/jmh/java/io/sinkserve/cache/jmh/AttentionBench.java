package io.sinkserve.cache.jmh;

import io.sinkserve.cache.Admission;
import io.sinkserve.cache.Attention;
import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.cache.Rope;
import io.sinkserve.cache.RopeTable;
import io.sinkserve.cache.SinkCache;
import io.sinkserve.compute.jmh.Traffic;

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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One decode token's attention over one KV head of one layer, Llama-3.2-1B's group shape (head dim 64,
 * 4 query heads per KV head), with {@code depth} tokens in a sink cache: ops/s, and the gigabytes of
 * cached keys and values read per second. A whole 1B token is 8 KV heads x 16 layers of these.
 * {@code ./mvnw -Pjmh -q compile exec:exec -Djmh.args="AttentionBench"}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AttentionBench {
    private static final int HEAD_DIM = 64;
    private static final int HEADS = 4;

    @Param({"512", "2048"})
    public int depth;

    @Param({"F16", "F32"})
    public KvStorage storage;

    private SinkCache cache;
    private Attention attention;
    private RopeTable sinkShift;
    private final Admission[] admission = {new Admission()};
    private float[] q;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        Rope rope = Rope.of(HEAD_DIM, HEAD_DIM, 500000, false, null);
        cache = new SinkCache(CacheConfig.streaming(4, depth - 4).withStorage(storage), 1, 1, HEAD_DIM);
        attention = new Attention(rope);
        sinkShift = new RopeTable(rope, 1);
        SplittableRandom rnd = new SplittableRandom(1);
        float[] kv = new float[HEAD_DIM];
        for (int t = 0; t < depth; t++) {
            for (int d = 0; d < HEAD_DIM; d++) {
                kv[d] = (float) rnd.nextDouble(-1, 1);
            }
            cache.admit(admission, 0, 1);
            cache.write(0, 0, admission[0].slot(), kv, 0, kv, 0);
        }
        sinkShift.set(0, admission[0].cachePosition() - admission[0].position());
        q = new float[HEADS * HEAD_DIM];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rnd.nextDouble(-1, 1);
        }
        out = new float[HEADS * HEAD_DIM];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cache.close();
    }

    @Benchmark
    public float[] decodeToken(Traffic traffic) {
        attention.attend(cache, 0, admission[0], 0, HEADS, 0, q, 0, out, 0, sinkShift, 0, null);
        traffic.gigabytes += 2.0 * depth * HEAD_DIM * storage.bytes() * 1e-9;
        return out;
    }
}
