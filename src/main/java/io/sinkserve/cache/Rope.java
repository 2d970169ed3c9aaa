package io.sinkserve.cache;

/**
 * Rotary position embedding. Angles are {@code position * frequency} computed in double, so a rotation at
 * position 3,000,000 is as exact as one at position 3. Rotations compose ({@code R(a) R(b) = R(a + b)}),
 * which is what lets the cache move a query to another position by rotating it by the difference.
 *
 * <p>Layouts: "normal" (llama) rotates adjacent pairs (2i, 2i+1); NeoX (qwen2) rotates (i, i + ropeDim/2).
 * Dimensions at or beyond {@code ropeDim} are left alone (partial rotary).
 */
public final class Rope {
    private final int headDim;
    private final int ropeDim;
    private final boolean neox;
    private final double[] frequencies;

    /** {@code frequencies[i]} is the angle per position of pair i; there are ropeDim / 2 of them. */
    public Rope(int headDim, int ropeDim, boolean neox, double[] frequencies) {
        if (ropeDim < 2 || ropeDim % 2 != 0 || ropeDim > headDim) {
            throw new IllegalArgumentException("rope dimension " + ropeDim + " must be even and in 2.." + headDim);
        }
        if (frequencies.length != ropeDim / 2) {
            throw new IllegalArgumentException("need " + ropeDim / 2 + " rope frequencies, got " + frequencies.length);
        }
        this.headDim = headDim;
        this.ropeDim = ropeDim;
        this.neox = neox;
        this.frequencies = frequencies.clone();
    }

    /** The standard frequencies {@code base^(-2i/ropeDim)}, each divided by {@code factors[i]} when given (llama3 scaling). */
    public static Rope of(int headDim, int ropeDim, double base, boolean neox, float[] factors) {
        double[] f = new double[ropeDim / 2];
        for (int i = 0; i < f.length; i++) {
            f[i] = Math.pow(base, -2.0 * i / ropeDim) / (factors == null ? 1.0 : factors[i]);
        }
        return new Rope(headDim, ropeDim, neox, f);
    }

    public int headDim() {
        return headDim;
    }

    /** Pairs rotated: {@code ropeDim / 2}, the length of one row of angles. */
    public int pairs() {
        return ropeDim / 2;
    }

    /** The cosines and sines of a rotation by {@code amount} positions, {@link #pairs()} of each from {@code off}. */
    public void angles(long amount, float[] cos, float[] sin, int off) {
        for (int i = 0; i < frequencies.length; i++) {
            double angle = amount * frequencies[i];
            cos[off + i] = (float) Math.cos(angle);
            sin[off + i] = (float) Math.sin(angle);
        }
    }

    /** Rotates {@code heads} consecutive head vectors starting at {@code x[off]} to {@code position} (may be negative). */
    public void rotate(float[] x, int off, int heads, long position) {
        float[] cos = new float[pairs()];
        float[] sin = new float[pairs()];
        angles(position, cos, sin, 0);
        rotate(x, off, heads, headDim, cos, sin, 0);
    }

    /**
     * Rotates {@code heads} head vectors {@code stride} floats apart, starting at {@code x[off]}, by the
     * angles at {@code cos[tOff ..]} and {@code sin[tOff ..]} (from {@link #angles}).
     */
    void rotate(float[] x, int off, int heads, int stride, float[] cos, float[] sin, int tOff) {
        int half = ropeDim / 2;
        for (int i = 0; i < half; i++) {
            float c = cos[tOff + i];
            float s = sin[tOff + i];
            int a = neox ? i : 2 * i;
            int b = neox ? i + half : 2 * i + 1;
            for (int h = 0, base = off; h < heads; h++, base += stride) {
                float x0 = x[base + a];
                float x1 = x[base + b];
                x[base + a] = x0 * c - x1 * s;
                x[base + b] = x0 * s + x1 * c;
            }
        }
    }
}
