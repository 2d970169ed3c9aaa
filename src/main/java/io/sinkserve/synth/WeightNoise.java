package io.sinkserve.synth;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Seeded, fast, roughly Gaussian numbers for synthetic weights. Each value is the sum of four uniform
 * 16-bit numbers (Irwin-Hall, n = 4: close to normal, bounded at about 3.5 sigma) taken from two
 * keyed 32-bit hashes of its index, so values are computed independently of each other, many per
 * vector instruction, and identically for any vector width. Every row has its own key derived from
 * (seed, tensor, row), so the output does not depend on how rows are split across threads.
 */
final class WeightNoise {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    /** Mean and standard deviation of the sum of four uniform 16-bit values. */
    private static final float SUM_MEAN = 4 * 65535 / 2f;
    private static final double SUM_STD = Math.sqrt(4 * (65536.0 * 65536.0 - 1) / 12);
    private static final int[] IOTA = new int[INTS.length()];

    static {
        for (int i = 0; i < IOTA.length; i++) {
            IOTA[i] = i;
        }
    }

    private WeightNoise() {
    }

    /** The key of one row of one tensor. */
    static long stream(long seed, String tensor, long row) {
        return mix64(mix64(seed ^ GOLDEN) + tensor.hashCode() * GOLDEN + row);
    }

    /** Fills {@code dst[0 .. n)} with values of mean 0 and standard deviation {@code std}. */
    static void fill(float[] dst, int n, long stream, float std) {
        float scale = (float) (std / SUM_STD);
        int k1 = (int) stream;
        int k2 = (int) (stream >>> 32);
        int i = 0;
        if (INTS.length() == FLOATS.length()) {
            IntVector iota = IntVector.fromArray(INTS, IOTA, 0);
            for (; i <= n - INTS.length(); i += INTS.length()) {
                IntVector index = iota.add(i);
                IntVector h = hash(index, k1);
                IntVector g = hash(index, k2);
                IntVector sum = h.and(0xFFFF).add(h.lanewise(VectorOperators.LSHR, 16))
                        .add(g.and(0xFFFF)).add(g.lanewise(VectorOperators.LSHR, 16));
                ((FloatVector) sum.convert(VectorOperators.I2F, 0)).sub(SUM_MEAN).mul(scale).intoArray(dst, i);
            }
        }
        for (; i < n; i++) {
            int h = hash(i, k1);
            int g = hash(i, k2);
            int sum = (h & 0xFFFF) + (h >>> 16) + (g & 0xFFFF) + (g >>> 16);
            dst[i] = ((float) sum - SUM_MEAN) * scale;
        }
    }

    /** murmur3's finaliser of (finalised index xor key): a different well-mixed stream per key. */
    private static int hash(int index, int key) {
        return fmix32(fmix32(index) ^ key);
    }

    private static IntVector hash(IntVector index, int key) {
        return fmix32(fmix32(index).lanewise(VectorOperators.XOR, key));
    }

    private static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ h >>> 16;
    }

    private static IntVector fmix32(IntVector h) {
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
        return h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
