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
 * then reused, so quantising allocates nothing. Runs at the kernels' width ({@link VectorWidth}); every value is
 * rounded on its own and the sums are integers, so the result is the same at every width.
 */
final class QuantizedVector {
    static final int BLOCK = 32;
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final VectorSpecies<Integer> I = VectorWidth.INTS;
    private static final VectorSpecies<Short> S = VectorWidth.HALF_SHORTS;
    private static final int LANES = VectorWidth.LANES;
    /** Adding then subtracting 1.5 * 2^23 rounds a float below 2^22 to the nearest integer (ties to even). */
    private static final float ROUNDER = 12582912f;

    short[] q = new short[0];
    /**
     * The quants as {@link NibbleWords}' kernels multiply them: per four values k..k+3 (k a multiple of 4),
     * q[k], q[k+1] - 16 q[k], q[k+2] - 16 q[k+1], q[k+3] - 16 q[k+2]. A word w holding nibbles n0..n3 then gives
     * Σ n_i q[k+i] = w·y0 + (w>>>4)·y1 + (w>>>8)·y2 + (w>>>12)·y3 modulo 2^16 (since n_i = (w>>>4i) - 16 (w>>>4(i+1))),
     * with no masking of the nibbles.
     */
    short[] nibbleQ = new short[0];
    /**
     * The quants as {@link QuantPairs}' kernels multiply them: per two values k, k+1 (k even), q[k] and q[k+1] - 256 q[k].
     * A word w holding bytes b0 (low) and b1 then gives b0 q[k] + b1 q[k+1] = w·y0 + (w>>>8)·y1 modulo 2^16.
     */
    short[] pairQ = new short[0];
    /** Per 8 values (a quarter block): Σ q. */
    short[] quarterSum = new short[0];
    /** Per block: the scale. */
    float[] scale = new float[0];
    /** Per block: scale * Σ q, i.e. the block's sum as quantised (used to apply weight mins). */
    float[] sum = new float[0];
    /** Per block: Σ q (an integer, held as a float for dot products with per-block weight scales). */
    float[] qsum = new float[0];
    int length;

    /** Which kernel-specific forms of the quants a quantisation builds besides q, the scales and the block sums. */
    enum Forms {
        /** Neither (Q8_0's kernels read q). */
        PLAIN,
        /** {@link #nibbleQ} (Q4_0, Q4_K). */
        NIBBLES,
        /** {@link #pairQ} and {@link #quarterSum} (Q6_K). */
        PAIRS,
        /** Every form, for any kernel. */
        ALL
    }

    /** Quantises x[off .. off + n) with every form; n is a multiple of 32. */
    void quantize(float[] x, int off, int n) {
        quantize(x, off, n, Forms.ALL);
    }

    /**
     * Quantises x[off .. off + n) with the forms {@code forms} names (the others keep stale values); n is a multiple of
     * 32. The forms cost as much as the quantisation itself, and a matmul's caller quantises alone.
     */
    void quantize(float[] x, int off, int n, Forms forms) {
        boolean nibbles = forms == Forms.NIBBLES || forms == Forms.ALL;
        boolean pairs = forms == Forms.PAIRS || forms == Forms.ALL;
        if (q.length < n) {
            q = new short[n];
            nibbleQ = new short[n];
            pairQ = new short[n];
            quarterSum = new short[n / 8];
            scale = new float[n / BLOCK];
            sum = new float[n / BLOCK];
            qsum = new float[n / BLOCK];
        }
        length = n;
        for (int b = 0; b < n / BLOCK; b++) {
            int base = off + BLOCK * b;
            FloatVector max = FloatVector.zero(F);
            for (int i = 0; i < BLOCK; i += LANES) {
                max = max.max(FloatVector.fromArray(F, x, base + i).abs());
            }
            float amax = max.reduceLanes(VectorOperators.MAX);
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            for (int i = 0; i < BLOCK; i += LANES) {
                store(FloatVector.fromArray(F, x, base + i), id, BLOCK * b + i);
            }
            int blockSum = 0;
            for (int i = BLOCK * b, end = i + BLOCK; i < end; i += 4) {
                blockSum += q[i] + q[i + 1] + q[i + 2] + q[i + 3];
                if (nibbles) {
                    nibbleQ[i] = q[i];
                    nibbleQ[i + 1] = (short) (q[i + 1] - 16 * q[i]);
                    nibbleQ[i + 2] = (short) (q[i + 2] - 16 * q[i + 1]);
                    nibbleQ[i + 3] = (short) (q[i + 3] - 16 * q[i + 2]);
                }
            }
            if (pairs) {
                for (int i = BLOCK * b, end = i + BLOCK; i < end; i += 2) {
                    pairQ[i] = q[i];
                    pairQ[i + 1] = (short) (q[i + 1] - 256 * q[i]);
                }
                for (int j = BLOCK * b / 8, end = j + BLOCK / 8; j < end; j++) {
                    int i = 8 * j;
                    quarterSum[j] = (short) (q[i] + q[i + 1] + q[i + 2] + q[i + 3] + q[i + 4] + q[i + 5] + q[i + 6] + q[i + 7]);
                }
            }
            scale[b] = d;
            qsum[b] = blockSum;
            sum[b] = d * blockSum;
        }
    }

    private void store(FloatVector v, float id, int at) {
        IntVector r = (IntVector) v.mul(id).add(ROUNDER).sub(ROUNDER).convertShape(VectorOperators.F2I, I, 0);
        ((ShortVector) r.convertShape(VectorOperators.I2S, S, 0)).intoArray(q, at);
    }
}
