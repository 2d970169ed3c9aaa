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

    /**
     * {@link #sum16(FloatVector, FloatVector, FloatVector, FloatVector)} of the 16 logical lanes stored from a[off], the
     * same sums in the same order. For a kernel too large for C2 to inline the vector form into: a call left out
     * of line takes its vectors boxed, and C2 then allocates the boxes on every trip of the loop that made them.
     */
    static float sum16(float[] a, int off) {
        return fold8(a[off] + a[off + 8], a[off + 1] + a[off + 9], a[off + 2] + a[off + 10], a[off + 3] + a[off + 11],
                a[off + 4] + a[off + 12], a[off + 5] + a[off + 13], a[off + 6] + a[off + 14], a[off + 7] + a[off + 15]);
    }

    /** Lane i &lt;-&gt; lane i ^ d at the kernels' width (identity where d is not below it: unused there). */
    public static VectorShuffle<Float> swap(int d) {
        return VectorShuffle.fromOp(VectorWidth.FLOAT, lane -> d < VectorWidth.LANES ? lane ^ d : lane);
    }

    private static final VectorShuffle<Float> SWAP8 = swap(8);
    private static final VectorShuffle<Float> SWAP4 = swap(4);
    private static final VectorShuffle<Float> SWAP2 = swap(2);
    private static final VectorShuffle<Float> SWAP1 = swap(1);

    private static float fold8(float s0, float s1, float s2, float s3, float s4, float s5, float s6, float s7) {
        return fold4(s0 + s4, s1 + s5, s2 + s6, s3 + s7);
    }

    private static float fold4(float s0, float s1, float s2, float s3) {
        return (s0 + s2) + (s1 + s3);
    }
}
