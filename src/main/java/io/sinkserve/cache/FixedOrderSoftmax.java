package io.sinkserve.cache;

import io.sinkserve.compute.FloatOps;
import io.sinkserve.compute.FixedOrder;
import io.sinkserve.compute.VectorWidth;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax whose bits do not depend on the vector width or the JIT tier: the exponential is the compute
 * kernels' polynomial {@link FloatOps#exp(FloatVector)} (the Vector API's own {@code EXP} rounds differently
 * compiled and interpreted), the sum is kept in {@link VectorWidth#LOGICAL_LANES} logical partial sums
 * (entry i goes to lane i mod 16) folded in halves ({@link FixedOrder#sum16}), and the padding to whole logical
 * vectors is -inf, so that every width runs the same operations on the same entries.
 */
final class FixedOrderSoftmax {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final int L = VectorWidth.LANES;
    private static final int LOGICAL = VectorWidth.LOGICAL_LANES;


    private FixedOrderSoftmax() {
    }

    /** {@code n} rounded up to whole logical vectors: the length {@link #softmax} works over. */
    static int padded(int n) {
        return (n + LOGICAL - 1) / LOGICAL * LOGICAL;
    }

    /**
     * In-place softmax of {@code x[0 .. n)}, shifted by the max; {@code x.length >= padded(n)}, and
     * {@code x[n .. padded(n))} is overwritten with zeros.
     */
    static void softmax(float[] x, int n) {
        int end = padded(n);
        for (int i = n; i < end; i++) {
            x[i] = Float.NEGATIVE_INFINITY;   // e^-inf = 0: the padding adds nothing
        }
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < end; i += L) {
            m = m.max(FloatVector.fromArray(F, x, i));
        }
        // max is exact: any order gives the same value
        if (L == 16) {
            m = m.max(m.rearrange(SWAP8));
        }
        if (L >= 8) {
            m = m.max(m.rearrange(SWAP4));
        }
        m = m.max(m.rearrange(SWAP2));
        m = m.max(m.rearrange(SWAP1));
        FloatVector shift = m.rearrange(BROADCAST_FIRST);
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int i = 0; i < end; i += LOGICAL) {
            s0 = s0.add(expInto(x, i, shift));
            if (L <= 8) {
                s1 = s1.add(expInto(x, i + L, shift));
            }
            if (L == 4) {
                s2 = s2.add(expInto(x, i + 2 * L, shift));
                s3 = s3.add(expInto(x, i + 3 * L, shift));
            }
        }
        FloatVector inv = FloatVector.broadcast(F, 1f / FixedOrder.sum16(s0, s1, s2, s3));
        for (int i = 0; i < end; i += L) {
            FloatVector.fromArray(F, x, i).mul(inv).intoArray(x, i);
        }
    }

    private static FloatVector expInto(float[] x, int i, FloatVector shift) {
        FloatVector e = FloatOps.exp(FloatVector.fromArray(F, x, i).sub(shift));
        e.intoArray(x, i);
        return e;
    }

    // Lane i <-> lane i ^ d, as constants the JIT folds.
    private static final VectorShuffle<Float> SWAP8 = FixedOrder.swap(8);
    private static final VectorShuffle<Float> SWAP4 = FixedOrder.swap(4);
    private static final VectorShuffle<Float> SWAP2 = FixedOrder.swap(2);
    private static final VectorShuffle<Float> SWAP1 = FixedOrder.swap(1);
    private static final VectorShuffle<Float> BROADCAST_FIRST = VectorShuffle.fromOp(F, lane -> 0);
}
