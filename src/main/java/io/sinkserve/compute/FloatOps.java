package io.sinkserve.compute;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vectorised float helpers for the forward pass. Offsets and lengths address plain float arrays. */
public final class FloatOps {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private FloatOps() {
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int step = F.length();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * step <= n; i += 2 * step) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + step).fma(FloatVector.fromArray(F, b, bOff + i + step), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** y += a * x. */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int step = F.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.broadcast(F, a), FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** out = x / rms(x) * weight, with rms(x) = sqrt(mean(x^2) + eps); out may alias x. */
    public static void rmsnorm(float[] out, int oOff, float[] x, int xOff, float[] weight, int n, float eps) {
        float ss = dot(x, xOff, x, xOff, n);
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        int step = F.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            FloatVector.fromArray(F, x, xOff + i).mul(inv).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, oOff + i);
        }
        for (; i < n; i++) {
            out[oOff + i] = x[xOff + i] * inv * weight[i];
        }
    }

    /** In-place softmax of x[off .. off + n), shifted by the max so large logits do not overflow. */
    public static void softmax(float[] x, int off, int n) {
        int step = F.length();
        int bound = F.loopBound(n);
        FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < bound; i += step) {
            maxV = maxV.max(FloatVector.fromArray(F, x, off + i));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (int i = bound; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector sumV = FloatVector.zero(F);
        for (int i = 0; i < bound; i += step) {
            FloatVector e = FloatVector.fromArray(F, x, off + i).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            sumV = sumV.add(e);
        }
        float sum = sumV.reduceLanes(VectorOperators.ADD);
        for (int i = bound; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        scale(x, off, n, 1f / sum);
    }

    /** gate = silu(gate) * up, element-wise over [off, off + n) of both arrays. */
    public static void siluMul(float[] gate, float[] up, int off, int n) {
        int step = F.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            FloatVector g = FloatVector.fromArray(F, gate, off + i);
            g.div(g.neg().lanewise(VectorOperators.EXP).add(1f)).mul(FloatVector.fromArray(F, up, off + i))
                    .intoArray(gate, off + i);
        }
        for (; i < n; i++) {
            float g = gate[off + i];
            gate[off + i] = g / (1f + (float) Math.exp(-g)) * up[off + i];
        }
    }

    /** y += x. */
    public static void add(float[] y, int yOff, float[] x, int xOff, int n) {
        int step = F.length();
        int i = 0;
        for (; i + step <= n; i += step) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    public static void scale(float[] x, int off, int n, float s) {
        int step = F.length();
        int i = 0;
        for (; i + step <= n; i += step) {
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
}
