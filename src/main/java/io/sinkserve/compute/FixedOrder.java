package io.sinkserve.compute;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * Float reductions in one fixed order. {@code FloatVector.reduceLanes(ADD)} leaves its order unspecified,
 * and the JIT's intrinsic and the interpreter's Java fallback do sum in different orders, so a result would
 * depend on when a method got compiled. Here the lanes of a logical vector are always folded in halves
 * (lane i + lane i + n/2, until one is left), whatever the hardware width they are held in.
 */
public final class FixedOrder {
    private FixedOrder() {
    }

    /**
     * The fold of {@link VectorWidth#LOGICAL_LANES} logical lanes held in {@code 16 / LANES} vectors of the
     * kernels' width: logical lanes [p * LANES, (p + 1) * LANES) are in vector p (a1..a3 are ignored where
     * the width does not need them). Whole vectors are added first, then the one left is folded with its lanes
     * swapped at distance 8/4/2/1 (lane i + lane i ^ k is the fold's sum for i &lt; k, addition being
     * commutative), which keeps the sums in registers.
     */
    public static float sum16(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        FloatVector v = switch (VectorWidth.LANES) {
            case 16 -> a0;
            case 8 -> a0.add(a1);
            default -> a0.add(a2).add(a1.add(a3));
        };
        if (VectorWidth.LANES == 16) {
            v = v.add(v.rearrange(SWAP8));
        }
        if (VectorWidth.LANES >= 8) {
            v = v.add(v.rearrange(SWAP4));
        }
        v = v.add(v.rearrange(SWAP2));
        v = v.add(v.rearrange(SWAP1));
        return v.lane(0);
    }

    /** {@link #sum8(FloatVector)} of the eight floats stored from a[off], for the reason {@link #sum16(float[], int)} gives. */
    static float sum8(float[] a, int off) {
        return fold8(a[off], a[off + 1], a[off + 2], a[off + 3], a[off + 4], a[off + 5], a[off + 6], a[off + 7]);
    }

    /**
     * {@link #sum16(FloatVector, FloatVector, FloatVector, FloatVector)} of the 16 logical lanes stored from a[off], the
     * same sums in the same order. For a kernel too large for C2 to inline the vector form into: a call left out
     * of line takes its vectors boxed, and C2 then allocates the boxes on every trip of the loop that made them.
     */
    static float sum16(float[] a, int off) {
        return fold8(a[off] + a[off + 8], a[off + 1] + a[off + 9], a[off + 2] + a[off + 10], a[off + 3] + a[off + 11],
                a[off + 4] + a[off + 12], a[off + 5] + a[off + 13], a[off + 6] + a[off + 14], a[off + 7] + a[off + 15]);
    }

    /**
     * {@link FloatOps#dot}'s sums in scalar code, to the same bits: element i fused into logical lane i mod 16, the
     * lanes folded as {@link #sum16(float[], int)} does, then the tail in order. For the short per-block sums of
     * the integer kernels: inlined into a kernel that has used up C2's inlining budget, FloatOps.dot's vectors
     * run in the Vector API's Java fallback, which allocates for every operation.
     */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
        float s8 = 0f, s9 = 0f, s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f, s14 = 0f, s15 = 0f;
        int i = 0;
        for (int end = n / 16 * 16; i < end; i += 16) {
            int p = aOff + i;
            int q = bOff + i;
            s0 = Math.fma(a[p], b[q], s0);
            s1 = Math.fma(a[p + 1], b[q + 1], s1);
            s2 = Math.fma(a[p + 2], b[q + 2], s2);
            s3 = Math.fma(a[p + 3], b[q + 3], s3);
            s4 = Math.fma(a[p + 4], b[q + 4], s4);
            s5 = Math.fma(a[p + 5], b[q + 5], s5);
            s6 = Math.fma(a[p + 6], b[q + 6], s6);
            s7 = Math.fma(a[p + 7], b[q + 7], s7);
            s8 = Math.fma(a[p + 8], b[q + 8], s8);
            s9 = Math.fma(a[p + 9], b[q + 9], s9);
            s10 = Math.fma(a[p + 10], b[q + 10], s10);
            s11 = Math.fma(a[p + 11], b[q + 11], s11);
            s12 = Math.fma(a[p + 12], b[q + 12], s12);
            s13 = Math.fma(a[p + 13], b[q + 13], s13);
            s14 = Math.fma(a[p + 14], b[q + 14], s14);
            s15 = Math.fma(a[p + 15], b[q + 15], s15);
        }
        float sum = fold8(s0 + s8, s1 + s9, s2 + s10, s3 + s11, s4 + s12, s5 + s13, s6 + s14, s7 + s15);
        for (; i < n; i++) {
            sum = Math.fma(a[aOff + i], b[bOff + i], sum);
        }
        return sum;
    }

    /** Lane i &lt;-&gt; lane i ^ d at the kernels' width (identity where d is not below it: unused there). */
    public static VectorShuffle<Float> swap(int d) {
        return VectorShuffle.fromOp(VectorWidth.FLOAT, lane -> d < VectorWidth.LANES ? lane ^ d : lane);
    }

    private static final VectorShuffle<Float> SWAP8 = swap(8);
    private static final VectorShuffle<Float> SWAP4 = swap(4);
    private static final VectorShuffle<Float> SWAP2 = swap(2);
    private static final VectorShuffle<Float> SWAP1 = swap(1);

    /** The fold of an 8-lane vector (256 bits). */
    static float sum8(FloatVector v) {
        return fold8(v.lane(0), v.lane(1), v.lane(2), v.lane(3), v.lane(4), v.lane(5), v.lane(6), v.lane(7));
    }

    private static float fold8(float s0, float s1, float s2, float s3, float s4, float s5, float s6, float s7) {
        return fold4(s0 + s4, s1 + s5, s2 + s6, s3 + s7);
    }

    private static float fold4(float s0, float s1, float s2, float s3) {
        return (s0 + s2) + (s1 + s3);
    }
}
