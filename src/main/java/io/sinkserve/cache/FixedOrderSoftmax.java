package io.sinkserve.cache;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax whose bits do not depend on the vector width or the JIT tier. The exponential is a polynomial
 * (Cephes' expf: Cody-Waite reduction, degree-6 Horner in fused multiply-adds, about 1 ulp) built only from
 * IEEE-exact lane operations (each lane gives the same bits at every width, compiled or interpreted),
 * where the Vector API's own {@code EXP} is a different approximation in compiled and interpreted code. The sum is
 * kept in {@link AttentionWidth#LOGICAL_LANES} logical partial sums (entry i goes to lane i mod 16) folded
 * in halves ({@link #fold16}).
 */
final class FixedOrderSoftmax {
    private static final VectorSpecies<Float> F = AttentionWidth.FLOAT;
    private static final int L = AttentionWidth.LANES;
    private static final int LOGICAL = AttentionWidth.LOGICAL_LANES;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUNDER = 0x1.8p23f;         // adding it rounds a float below 2^22 to an integer
    private static final float LN2_HI = 0.693359375f;       // ln 2 in two parts: n * LN2_HI is exact
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float LOWEST = -87.33654f;         // below this e^x is under the smallest normal float
    private static final float HIGHEST = 88.72283f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private FixedOrderSoftmax() {
    }

    /** {@code n} rounded up to whole logical vectors: the length {@link #softmax} works over. */
    static int padded(int n) {
        return (n + LOGICAL - 1) / LOGICAL * LOGICAL;
    }

    /**
     * In-place softmax of {@code x[0 .. n)}, shifted by the max; {@code x.length >= padded(n)}, and
     * {@code x[n .. padded(n))} is overwritten with zeros. {@code lanes} is scratch of 16 floats.
     */
    static void softmax(float[] x, int n, float[] lanes) {
        int end = padded(n);
        for (int i = n; i < end; i++) {
            x[i] = Float.NEGATIVE_INFINITY;   // e^-inf = 0: the padding adds nothing
        }
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < end; i += L) {
            m = m.max(FloatVector.fromArray(F, x, i));
        }
        m.intoArray(lanes, 0);
        float max = lanes[0];
        for (int i = 1; i < L; i++) {
            max = Math.max(max, lanes[i]);    // max is exact: any order gives the same value
        }
        FloatVector shift = FloatVector.broadcast(F, max);
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
        FloatVector inv = FloatVector.broadcast(F, 1f / fold16(s0, s1, s2, s3, lanes));
        for (int i = 0; i < end; i += L) {
            FloatVector.fromArray(F, x, i).mul(inv).intoArray(x, i);
        }
    }

    private static FloatVector expInto(float[] x, int i, FloatVector shift) {
        FloatVector e = exp(FloatVector.fromArray(F, x, i).sub(shift));
        e.intoArray(x, i);
        return e;
    }

    /** e^x per lane, within about 1 ulp; e^x below the smallest normal float is 0. */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(LOWEST).min(HIGHEST);
        FloatVector n = c.fma(LOG2E, ROUNDER).sub(ROUNDER);
        FloatVector r = n.fma(broadcast(-LN2_HI), c);
        r = n.fma(broadcast(-LN2_LO), r);
        FloatVector p = broadcast(P0);
        p = p.fma(r, broadcast(P1));
        p = p.fma(r, broadcast(P2));
        p = p.fma(r, broadcast(P3));
        p = p.fma(r, broadcast(P4));
        p = p.fma(r, broadcast(P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector exponent = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = y.mul((FloatVector) exponent.reinterpretAsFloats());
        return e.blend(0f, x.compare(VectorOperators.LT, LOWEST));
    }

    private static FloatVector broadcast(float v) {
        return FloatVector.broadcast(F, v);
    }

    /**
     * The sum of 16 logical lanes held in {@code 16 / L} vectors (logical lanes [p L, (p + 1) L) in vector
     * p; the others are ignored), folded in halves: lane i + lane i + 8, then i + 4, i + 2, i + 1.
     */
    static float fold16(FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3, float[] lanes) {
        a0.intoArray(lanes, 0);
        if (L <= 8) {
            a1.intoArray(lanes, L);
        }
        if (L == 4) {
            a2.intoArray(lanes, 2 * L);
            a3.intoArray(lanes, 3 * L);
        }
        float s0 = lanes[0] + lanes[8];
        float s1 = lanes[1] + lanes[9];
        float s2 = lanes[2] + lanes[10];
        float s3 = lanes[3] + lanes[11];
        float s4 = lanes[4] + lanes[12];
        float s5 = lanes[5] + lanes[13];
        float s6 = lanes[6] + lanes[14];
        float s7 = lanes[7] + lanes[15];
        s0 += s4;
        s1 += s5;
        s2 += s6;
        s3 += s7;
        return (s0 + s2) + (s1 + s3);
    }
}
