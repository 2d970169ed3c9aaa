package io.sinkserve.compute;

import jdk.incubator.vector.FloatVector;

/**
 * Float reductions in one fixed order. {@code FloatVector.reduceLanes(ADD)} leaves its order unspecified,
 * and the JIT's intrinsic and the interpreter's Java fallback do sum in different orders, so a result would
 * depend on when a method got compiled. Here the lanes of a logical vector are always folded in halves
 * (lane i + lane i + n/2, until one is left), whatever the hardware width they are held in.
 */
final class FixedOrder {
    private FixedOrder() {
    }

    /**
     * The fold of {@link VectorWidth#LOGICAL_LANES} logical lanes held in {@code 16 / LANES} vectors of the
     * kernels' width: logical lanes [p * LANES, (p + 1) * LANES) are in vector p (a1..a3 are ignored where
     * the width does not need them).
     */
    static float sum16(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        return switch (VectorWidth.LANES) {
            case 16 -> {
                float s0 = a0.lane(0) + a0.lane(8);
                float s1 = a0.lane(1) + a0.lane(9);
                float s2 = a0.lane(2) + a0.lane(10);
                float s3 = a0.lane(3) + a0.lane(11);
                float s4 = a0.lane(4) + a0.lane(12);
                float s5 = a0.lane(5) + a0.lane(13);
                float s6 = a0.lane(6) + a0.lane(14);
                float s7 = a0.lane(7) + a0.lane(15);
                yield fold8(s0, s1, s2, s3, s4, s5, s6, s7);
            }
            case 8 -> sum8(a0.add(a1));
            default -> {
                // lanes 0..3 of the 8-lane fold are a0 + a2, lanes 4..7 are a1 + a3; then fold 8 -> 4
                FloatVector s = a0.add(a2).add(a1.add(a3));
                yield fold4(s.lane(0), s.lane(1), s.lane(2), s.lane(3));
            }
        };
    }

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
