package io.sinkserve.compute;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised float helpers for the forward pass. Offsets and lengths address plain float arrays.
 *
 * <p>Every result is the same bits at every vector width and JIT tier: sums accumulate in
 * {@link VectorWidth#LOGICAL_LANES} logical lanes reduced by {@link FixedOrder}, element-wise operations
 * compute each element with the same IEEE operations in the vector body and the scalar tail (so it does not
 * matter which one an element falls in), and {@link #exp} is a polynomial of plain multiply-adds instead of
 * the Vector API's EXP, whose intrinsic (a vendor math library) and Java fallback round differently.
 */
public final class FloatOps {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final int W = VectorWidth.LANES;
    private static final int LOGICAL = VectorWidth.LOGICAL_LANES;

    private FloatOps() {
    }

    /** Σ a[i] b[i]: element i goes to logical lane i mod 16 (fused multiply-add), the tail in order. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int i = 0;
        for (int end = n / LOGICAL * LOGICAL; i < end; i += LOGICAL) {
            a0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), a0);
            if (W < LOGICAL) {
                a1 = FloatVector.fromArray(F, a, aOff + i + W).fma(FloatVector.fromArray(F, b, bOff + i + W), a1);
            }
            if (W < LOGICAL / 2) {
                a2 = FloatVector.fromArray(F, a, aOff + i + 2 * W).fma(FloatVector.fromArray(F, b, bOff + i + 2 * W), a2);
                a3 = FloatVector.fromArray(F, a, aOff + i + 3 * W).fma(FloatVector.fromArray(F, b, bOff + i + 3 * W), a3);
            }
        }
        float sum = FixedOrder.sum16(a0, a1, a2, a3);
        for (; i < n; i++) {
            sum = Math.fma(a[aOff + i], b[bOff + i], sum);
        }
        return sum;
    }

    /** y += a * x (fused). */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += W) {
            FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.broadcast(F, a), FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(x[xOff + i], a, y[yOff + i]);
        }
    }

    /** out = x / rms(x) * weight, with rms(x) = sqrt(mean(x^2) + eps); out may alias x. */
    public static void rmsnorm(float[] out, int oOff, float[] x, int xOff, float[] weight, int n, float eps) {
        float ss = dot(x, xOff, x, xOff, n);
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += W) {
            FloatVector.fromArray(F, x, xOff + i).mul(inv).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, oOff + i);
        }
        for (; i < n; i++) {
            out[oOff + i] = x[xOff + i] * inv * weight[i];
        }
    }

    /** In-place softmax of x[off .. off + n), shifted by the max so large logits do not overflow. */
    public static void softmax(float[] x, int off, int n) {
        int bound = F.loopBound(n);
        FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < bound; i += W) {
            maxV = maxV.max(FloatVector.fromArray(F, x, off + i));
        }
        // max is exact in any order
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (int i = bound; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector m = FloatVector.broadcast(F, max);
        for (int i = 0; i < bound; i += W) {
            exp(FloatVector.fromArray(F, x, off + i).sub(m)).intoArray(x, off + i);
        }
        for (int i = bound; i < n; i++) {
            x[off + i] = exp(x[off + i] - max);
        }
        float sum = sum(x, off, n);
        scale(x, off, n, 1f / sum);
    }

    /** Σ x[i]: element i goes to logical lane i mod 16, the tail in order. */
    static float sum(float[] x, int off, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        int i = 0;
        for (int end = n / LOGICAL * LOGICAL; i < end; i += LOGICAL) {
            a0 = a0.add(FloatVector.fromArray(F, x, off + i));
            if (W < LOGICAL) {
                a1 = a1.add(FloatVector.fromArray(F, x, off + i + W));
            }
            if (W < LOGICAL / 2) {
                a2 = a2.add(FloatVector.fromArray(F, x, off + i + 2 * W));
                a3 = a3.add(FloatVector.fromArray(F, x, off + i + 3 * W));
            }
        }
        float sum = FixedOrder.sum16(a0, a1, a2, a3);
        for (; i < n; i++) {
            sum += x[off + i];
        }
        return sum;
    }

    /** gate = silu(gate) * up, element-wise over [off, off + n) of both arrays. */
    public static void siluMul(float[] gate, float[] up, int off, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += W) {
            FloatVector g = FloatVector.fromArray(F, gate, off + i);
            g.div(exp(g.neg()).add(1f)).mul(FloatVector.fromArray(F, up, off + i)).intoArray(gate, off + i);
        }
        for (; i < n; i++) {
            float g = gate[off + i];
            gate[off + i] = g / (exp(-g) + 1f) * up[off + i];
        }
    }

    /** y += x. */
    public static void add(float[] y, int yOff, float[] x, int xOff, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += W) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    public static void scale(float[] x, int off, int n, float s) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += W) {
            FloatVector.fromArray(F, x, off + i).mul(s).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= s;
        }
    }

    public static float f16ToF32(short h) {
        return Float.float16ToFloat(h);
    }

    public static short f32ToF16(float f) {
        return Float.floatToFloat16(f);
    }

    // exp(x) = 2^k e^r with k = round(x / ln 2), r = x - k ln 2 (|r| <= ln 2 / 2, ln 2 split in two parts so
    // k ln 2 is exact), e^r by its Taylor series to r^7 (relative error below 1e-8 before rounding). Inputs
    // below EXP_MIN give 0 (2^k would be subnormal), inputs above EXP_MAX are clamped to it (about
    // 2^127.5, so that 2^k stays finite).
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-6f;
    private static final float ROUNDER = 12582912f;
    private static final float EXP_MIN = -87.33654f;
    private static final float EXP_MAX = 88.37f;
    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    /** e^x, the same bits as the vector {@link #exp(FloatVector)} gives in every lane. */
    public static float exp(float x) {
        if (!(x >= EXP_MIN)) {
            return x != x ? x : 0f;
        }
        float c = Math.min(x, EXP_MAX);
        float k = c * LOG2E + ROUNDER - ROUNDER;
        float r = Math.fma(k, -LN2_LO, Math.fma(k, -LN2_HI, c));
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(C7, r, C6), r, C5), r, C4), r, C3), r, C2), r, 1f);
        p = Math.fma(p, r, 1f);
        return p * Float.intBitsToFloat(((int) k + 127) << 23);
    }

    /** e^x lane by lane (see {@link #exp(float)}); the species must be {@link VectorWidth#FLOAT}. */
    public static FloatVector exp(FloatVector x) {
        FloatVector c = x.min(EXP_MAX);
        FloatVector k = c.mul(LOG2E).add(ROUNDER).sub(ROUNDER);
        FloatVector r = k.fma(FloatVector.broadcast(F, -LN2_LO), k.fma(FloatVector.broadcast(F, -LN2_HI), c));
        FloatVector p = FloatVector.broadcast(F, C7).fma(r, FloatVector.broadcast(F, C6));
        p = p.fma(r, FloatVector.broadcast(F, C5)).fma(r, FloatVector.broadcast(F, C4)).fma(r, FloatVector.broadcast(F, C3))
                .fma(r, FloatVector.broadcast(F, C2)).fma(r, FloatVector.broadcast(F, 1f)).fma(r, FloatVector.broadcast(F, 1f));
        IntVector kBits = ((IntVector) k.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = p.mul(kBits.reinterpretAsFloats());
        // below EXP_MIN: 0; NaN stays NaN (the comparison is false for it, and NaN propagates through e)
        return e.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
    }
}
