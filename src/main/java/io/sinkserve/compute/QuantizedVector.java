package io.sinkserve.compute;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An activation vector quantised to 8 bits in blocks of 32 (like ggml's Q8_0 activations), held as
 * 16-bit integers so that the quantised weight kernels can multiply with plain 16-bit lane products:
 * x[i] ~ scale[i / 32] * q[i]. Built once per matvec and shared by all rows; buffers grow once and are
 * then reused, so quantising allocates nothing.
 */
final class QuantizedVector {
    static final int BLOCK = 32;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    /** Adding then subtracting 1.5 * 2^23 rounds a float below 2^22 to the nearest integer (ties to even). */
    private static final float ROUNDER = 12582912f;

    short[] q = new short[0];
    /** Per block: the scale. */
    float[] scale = new float[0];
    /** Per block: scale * Σ q, i.e. the block's sum as quantised (used to apply weight mins). */
    float[] sum = new float[0];
    /** Per block: Σ q (an integer, held as a float for dot products with per-block weight scales). */
    float[] qsum = new float[0];
    /** Per 8 values: Σ q (at most 8 * 127 in magnitude). */
    short[] qsum8 = new short[0];
    int length;

    /** Quantises x[off .. off + n); n is a multiple of 32. */
    void quantize(float[] x, int off, int n) {
        if (q.length < n) {
            q = new short[n];
            scale = new float[n / BLOCK];
            sum = new float[n / BLOCK];
            qsum = new float[n / BLOCK];
            qsum8 = new short[n / 8];
        }
        length = n;
        for (int b = 0; b < n / BLOCK; b++) {
            int base = off + BLOCK * b;
            FloatVector v0 = FloatVector.fromArray(F, x, base);
            FloatVector v1 = FloatVector.fromArray(F, x, base + 8);
            FloatVector v2 = FloatVector.fromArray(F, x, base + 16);
            FloatVector v3 = FloatVector.fromArray(F, x, base + 24);
            float amax = v0.abs().max(v1.abs()).max(v2.abs().max(v3.abs())).reduceLanes(VectorOperators.MAX);
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            int s0 = store(v0, id, BLOCK * b).reduceLanes(VectorOperators.ADD);
            int s1 = store(v1, id, BLOCK * b + 8).reduceLanes(VectorOperators.ADD);
            int s2 = store(v2, id, BLOCK * b + 16).reduceLanes(VectorOperators.ADD);
            int s3 = store(v3, id, BLOCK * b + 24).reduceLanes(VectorOperators.ADD);
            qsum8[4 * b] = (short) s0;
            qsum8[4 * b + 1] = (short) s1;
            qsum8[4 * b + 2] = (short) s2;
            qsum8[4 * b + 3] = (short) s3;
            float blockSum = s0 + s1 + s2 + s3;
            scale[b] = d;
            qsum[b] = blockSum;
            sum[b] = d * blockSum;
        }
    }

    private IntVector store(FloatVector v, float id, int at) {
        IntVector r = (IntVector) v.mul(id).add(ROUNDER).sub(ROUNDER).convertShape(VectorOperators.F2I, I, 0);
        ((ShortVector) r.convertShape(VectorOperators.I2S, S128, 0)).intoArray(q, at);
        return r;
    }
}
