package io.sinkserve.compute;

import jdk.incubator.vector.ShortVector;

/**
 * The integer half of {@link QuantizedGemm}'s micro-kernel: a 32-column block's exact sums Σ_k panel[k][row] · q[k] for
 * {@link #TOKENS} quantised tokens and two row groups at once, in 16-bit lanes (each |panel value| is at most 8 and each
 * |q| at most 127, so a block's sum fits; see {@link QuantizedGemm.Panels#decodeQuants}). Each broadcast of a token's
 * quant serves both groups' weight vectors.
 *
 * <p>The shape follows the register file ({@link VectorWidth#REGISTERS}): six tokens by two groups (twelve sums, two weight
 * vectors, a broadcast) where there are 32 vector registers; four by two where AVX2 has 16, since twelve sums there left
 * C2 spilling sums to the stack on every column. The sums are exact integers either way, so the shape changes no bits.
 */
final class PanelSums {
    /** Tokens per call: six where the register file has 32 vectors, four where it has 16. */
    static final int TOKENS = VectorWidth.REGISTERS >= 32 ? 6 : 4;
    /** Shorts of one block's sums in {@link #panel}'s output: {@link #TOKENS} tokens of two groups. */
    static final int BLOCK = 2 * TOKENS * GroupedMatrix.ROWS;
    private static final int ROWS = GroupedMatrix.ROWS;

    private PanelSums() {
    }

    /**
     * Columns {@code [k, k + kc)} (whole blocks) of the panel at {@code panel[0 ..]} (k-major from column k,
     * {@code ROWS} lanes per column) and of the one {@code other} shorts further on (the next group's panel) times
     * tokens {@code xs[t0 .. t0 + TOKENS)}: block i's sums of token j go to {@code into[i * BLOCK + j * ROWS ..]} for the
     * first group and {@code into[i * BLOCK + (TOKENS + j) * ROWS ..]} for the second.
     */
    static void panel(short[] panel, int other, QuantizedVector[] xs, int t0, int k, int kc, short[] into) {
        if (TOKENS == 6) {
            six(panel, other, xs, t0, k, kc, into);
        } else {
            four(panel, other, xs, t0, k, kc, into);
        }
    }

    /** {@link #panel} with six tokens (twelve sums in registers): block i's sums at {@code into[i * 12 * ROWS ..]}. */
    static void six(short[] panel, int other, QuantizedVector[] xs, int t0, int k, int kc, short[] into) {
        short[] x0 = xs[t0].q;
        short[] x1 = xs[t0 + 1].q;
        short[] x2 = xs[t0 + 2].q;
        short[] x3 = xs[t0 + 3].q;
        short[] x4 = xs[t0 + 4].q;
        short[] x5 = xs[t0 + 5].q;
        for (int p = 0, at = 0, end = k + kc; k < end; at += 12 * ROWS) {
            ShortVector c0 = ShortVector.zero(GroupedMatrix.SHORTS);
            ShortVector c1 = c0;
            ShortVector c2 = c0;
            ShortVector c3 = c0;
            ShortVector c4 = c0;
            ShortVector c5 = c0;
            ShortVector e0 = c0;
            ShortVector e1 = c0;
            ShortVector e2 = c0;
            ShortVector e3 = c0;
            ShortVector e4 = c0;
            ShortVector e5 = c0;
            for (int block = k + 32; k < block; k++, p += ROWS) {
                ShortVector v = ShortVector.fromArray(GroupedMatrix.SHORTS, panel, p);
                ShortVector u = ShortVector.fromArray(GroupedMatrix.SHORTS, panel, p + other);
                ShortVector y = ShortVector.broadcast(GroupedMatrix.SHORTS, x0[k]);
                c0 = c0.add(v.mul(y));
                e0 = e0.add(u.mul(y));
                y = ShortVector.broadcast(GroupedMatrix.SHORTS, x1[k]);
                c1 = c1.add(v.mul(y));
                e1 = e1.add(u.mul(y));
                y = ShortVector.broadcast(GroupedMatrix.SHORTS, x2[k]);
                c2 = c2.add(v.mul(y));
                e2 = e2.add(u.mul(y));
                y = ShortVector.broadcast(GroupedMatrix.SHORTS, x3[k]);
                c3 = c3.add(v.mul(y));
                e3 = e3.add(u.mul(y));
                y = ShortVector.broadcast(GroupedMatrix.SHORTS, x4[k]);
                c4 = c4.add(v.mul(y));
                e4 = e4.add(u.mul(y));
                y = ShortVector.broadcast(GroupedMatrix.SHORTS, x5[k]);
                c5 = c5.add(v.mul(y));
                e5 = e5.add(u.mul(y));
            }
            c0.intoArray(into, at);
            c1.intoArray(into, at + ROWS);
            c2.intoArray(into, at + 2 * ROWS);
            c3.intoArray(into, at + 3 * ROWS);
            c4.intoArray(into, at + 4 * ROWS);
            c5.intoArray(into, at + 5 * ROWS);
            e0.intoArray(into, at + 6 * ROWS);
            e1.intoArray(into, at + 7 * ROWS);
            e2.intoArray(into, at + 8 * ROWS);
            e3.intoArray(into, at + 9 * ROWS);
            e4.intoArray(into, at + 10 * ROWS);
            e5.intoArray(into, at + 11 * ROWS);
        }
    }

    /** {@link #panel} with four tokens (eight sums in registers): block i's sums at {@code into[i * 8 * ROWS ..]}. */
    static void four(short[] panel, int other, QuantizedVector[] xs, int t0, int k, int kc, short[] into) {
        short[] x0 = xs[t0].q;
        short[] x1 = xs[t0 + 1].q;
        short[] x2 = xs[t0 + 2].q;
        short[] x3 = xs[t0 + 3].q;
        for (int p = 0, at = 0, end = k + kc; k < end; at += 8 * ROWS) {
            ShortVector c0 = ShortVector.zero(GroupedMatrix.SHORTS);
            ShortVector c1 = c0;
            ShortVector c2 = c0;
            ShortVector c3 = c0;
            ShortVector e0 = c0;
            ShortVector e1 = c0;
            ShortVector e2 = c0;
            ShortVector e3 = c0;
            for (int block = k + 32; k < block; k++, p += ROWS) {
                ShortVector v = ShortVector.fromArray(GroupedMatrix.SHORTS, panel, p);
                ShortVector u = ShortVector.fromArray(GroupedMatrix.SHORTS, panel, p + other);
                ShortVector y = ShortVector.broadcast(GroupedMatrix.SHORTS, x0[k]);
                c0 = c0.add(v.mul(y));
                e0 = e0.add(u.mul(y));
                y = ShortVector.broadcast(GroupedMatrix.SHORTS, x1[k]);
                c1 = c1.add(v.mul(y));
                e1 = e1.add(u.mul(y));
                y = ShortVector.broadcast(GroupedMatrix.SHORTS, x2[k]);
                c2 = c2.add(v.mul(y));
                e2 = e2.add(u.mul(y));
                y = ShortVector.broadcast(GroupedMatrix.SHORTS, x3[k]);
                c3 = c3.add(v.mul(y));
                e3 = e3.add(u.mul(y));
            }
            c0.intoArray(into, at);
            c1.intoArray(into, at + ROWS);
            c2.intoArray(into, at + 2 * ROWS);
            c3.intoArray(into, at + 3 * ROWS);
            e0.intoArray(into, at + 4 * ROWS);
            e1.intoArray(into, at + 5 * ROWS);
            e2.intoArray(into, at + 6 * ROWS);
            e3.intoArray(into, at + 7 * ROWS);
        }
    }
}
