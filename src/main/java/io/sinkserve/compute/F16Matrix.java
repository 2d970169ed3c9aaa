package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

import jdk.incubator.vector.FloatVector;

/**
 * IEEE half precision, widened to float a chunk at a time ({@link #widen}) and dotted as floats; the Vector
 * API has no half-to-float lane conversion.
 */
final class F16Matrix extends FloatMatrix {
    /** Values per partial dot of a row: part of {@link #dot}'s fixed summation order. */
    static final int CHUNK = 1024;
    /** Rows wider than this (an activation of over 16 KiB) are dotted four at a time, see {@link #dot4}. */
    static final int WIDE = 4096;
    /**
     * Values of each row {@link #dot4} widens at a time for one token: its four rows' widened pieces then take 4 KiB
     * of L1 instead of the 16 KiB of whole chunks, next to the activation and the streaming weights.
     */
    static final int PIECE = 256;

    F16Matrix(MemorySegment data, int rows, int cols) {
        super(TensorType.F16, data, rows, cols);
    }

    /**
     * Widens each {@link #CHUNK}-value chunk of the row into {@code scratch} ({@link #widen}) and dots it
     * with the activation in {@link FloatOps#dot}'s order, the chunks summed in order.
     */
    @Override
    float dot(int row, float[] x, int xOff, float[] scratch) {
        checkX(x, xOff);
        long base = offset(row, 0);
        float sum = 0f;
        for (int c = 0; c < cols; c += CHUNK) {
            int n = Math.min(CHUNK, cols - c);
            widen(base + 2L * c, scratch, 0, n);
            sum += FloatOps.dot(scratch, 0, x, xOff + c, n);
        }
        return sum;
    }

    /**
     * out[outOff + t * stride] = {@link #dot} of the row with token t's activation x[xOff + t * cols ..],
     * t &lt; tokens, with dot's bits: each chunk is widened once for all the tokens, and full chunks are taken two at a
     * time ({@link #addChunkPair}).
     */
    void dots(int row, float[] x, int xOff, int tokens, float[] out, int outOff, int stride, float[] scratch) {
        Objects.checkFromIndexSize(xOff, tokens * cols, x.length);
        long base = offset(row, 0);
        for (int t = 0; t < tokens; t++) {
            out[outOff + t * stride] = 0f;
        }
        int c = 0;
        for (; c + 2 * CHUNK <= cols; c += 2 * CHUNK) {
            widen(base + 2L * c, scratch, 0, 2 * CHUNK);
            for (int t = 0; t < tokens; t++) {
                int o = outOff + t * stride;
                out[o] = addChunkPair(out[o], scratch, x, xOff + t * cols + c);
            }
        }
        for (; c < cols; c += CHUNK) {
            int n = Math.min(CHUNK, cols - c);
            widen(base + 2L * c, scratch, 0, n);
            for (int t = 0; t < tokens; t++) {
                out[outOff + t * stride] += FloatOps.dot(scratch, 0, x, xOff + t * cols + c, n);
            }
        }
    }

    /**
     * (sum + dot of chunk 0) + dot of chunk 1, each chunk's dot in {@link FloatOps#dot}'s order and bits, for the two
     * full chunks in {@code w[0 .. 2 * CHUNK)} against {@code x[xOff ..]}: two independent chains of fused multiply-adds,
     * so neither waits on the other's latency (at 512 bits one chunk's dot is a single chain).
     */
    private static float addChunkPair(float sum, float[] w, float[] x, int xOff) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector b0 = a0;
        FloatVector b1 = a0;
        FloatVector b2 = a0;
        FloatVector b3 = a0;
        for (int i = 0; i < CHUNK; i += LOGICAL) {
            int j = CHUNK + i;
            a0 = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xOff + i), a0);
            b0 = FloatVector.fromArray(F, w, j).fma(FloatVector.fromArray(F, x, xOff + j), b0);
            if (W < LOGICAL) {
                a1 = FloatVector.fromArray(F, w, i + W).fma(FloatVector.fromArray(F, x, xOff + i + W), a1);
                b1 = FloatVector.fromArray(F, w, j + W).fma(FloatVector.fromArray(F, x, xOff + j + W), b1);
            }
            if (W < LOGICAL / 2) {
                a2 = FloatVector.fromArray(F, w, i + 2 * W).fma(FloatVector.fromArray(F, x, xOff + i + 2 * W), a2);
                a3 = FloatVector.fromArray(F, w, i + 3 * W).fma(FloatVector.fromArray(F, x, xOff + i + 3 * W), a3);
                b2 = FloatVector.fromArray(F, w, j + 2 * W).fma(FloatVector.fromArray(F, x, xOff + j + 2 * W), b2);
                b3 = FloatVector.fromArray(F, w, j + 3 * W).fma(FloatVector.fromArray(F, x, xOff + j + 3 * W), b3);
            }
        }
        return sum + FixedOrder.sum16(a0, a1, a2, a3) + FixedOrder.sum16(b0, b1, b2, b3);
    }

    /**
     * out[outOff + t * stride + k] = {@link #dot} of row {@code row + k} with token t's activation
     * x[xOff + t * cols ..], k = 0..3, t &lt; tokens, with the same bits: each row's chunk is widened once, into
     * its own quarter of {@code scratch} (at least {@code 4 * CHUNK} floats), and keeps its own accumulator in
     * dot's order, and each vector of the activation is loaded once for the four rows (one token: see
     * {@link #dot4Pieces}).
     * For rows wider than {@link #WIDE}: their activation takes more than half of L1, the streaming weights
     * evict it, and one row at a time then reads it back from L2 for every row. Only where
     * {@link #dotsFourRows} says so.
     */
    void dot4(int row, float[] x, int xOff, int tokens, float[] out, int outOff, int stride, float[] scratch) {
        if (!dotsFourRows()) {
            throw new IllegalStateException("rows of " + cols + " columns at " + W + " lanes are dotted one at a time");
        }
        Objects.checkFromIndexSize(xOff, tokens * cols, x.length);
        Objects.checkFromIndexSize(row, 4, rows);
        long rowBytes = 2L * cols;
        long base = offset(row, 0);
        for (int t = 0; t < tokens; t++) {
            Arrays.fill(out, outOff + t * stride, outOff + t * stride + 4, 0f);
        }
        if (tokens == 1) {
            dot4Pieces(base, rowBytes, x, xOff, out, outOff, scratch);
            return;
        }
        for (int c = 0; c < cols; c += CHUNK) {
            int n = Math.min(CHUNK, cols - c);
            long o = base + 2L * c;
            widen(o, scratch, 0, n);
            widen(o + rowBytes, scratch, CHUNK, n);
            widen(o + 2 * rowBytes, scratch, 2 * CHUNK, n);
            widen(o + 3 * rowBytes, scratch, 3 * CHUNK, n);
            for (int t = 0; t < tokens; t++) {
                int xc = xOff + t * cols + c;
                FloatVector z = FloatVector.zero(F);
                FloatVector a0 = z;
                FloatVector a1 = z;
                FloatVector a2 = z;
                FloatVector a3 = z;
                int i = 0;
                for (int end = n / LOGICAL * LOGICAL; i < end; i += LOGICAL) {
                    FloatVector v = FloatVector.fromArray(F, x, xc + i);
                    a0 = FloatVector.fromArray(F, scratch, i).fma(v, a0);
                    a1 = FloatVector.fromArray(F, scratch, CHUNK + i).fma(v, a1);
                    a2 = FloatVector.fromArray(F, scratch, 2 * CHUNK + i).fma(v, a2);
                    a3 = FloatVector.fromArray(F, scratch, 3 * CHUNK + i).fma(v, a3);
                }
                int o4 = outOff + t * stride;
                out[o4] += tail(scratch, 0, x, xc, i, n, FixedOrder.sum16(a0, z, z, z));
                out[o4 + 1] += tail(scratch, CHUNK, x, xc, i, n, FixedOrder.sum16(a1, z, z, z));
                out[o4 + 2] += tail(scratch, 2 * CHUNK, x, xc, i, n, FixedOrder.sum16(a2, z, z, z));
                out[o4 + 3] += tail(scratch, 3 * CHUNK, x, xc, i, n, FixedOrder.sum16(a3, z, z, z));
            }
        }
    }

    /**
     * {@link #dot4} for one token: each chunk is widened {@link #PIECE} values of the four rows at a time, the rows'
     * accumulators carried from piece to piece, so every row keeps dot's order and bits.
     */
    private void dot4Pieces(long base, long rowBytes, float[] x, int xOff, float[] out, int outOff, float[] scratch) {
        for (int c = 0; c < cols; c += CHUNK) {
            int n = Math.min(CHUNK, cols - c);
            FloatVector z = FloatVector.zero(F);
            FloatVector a0 = z;
            FloatVector a1 = z;
            FloatVector a2 = z;
            FloatVector a3 = z;
            for (int p = 0; p < n; p += PIECE) {
                int m = Math.min(PIECE, n - p);
                long o = base + 2L * (c + p);
                widen(o, scratch, 0, m);
                widen(o + rowBytes, scratch, PIECE, m);
                widen(o + 2 * rowBytes, scratch, 2 * PIECE, m);
                widen(o + 3 * rowBytes, scratch, 3 * PIECE, m);
                int xc = xOff + c + p;
                for (int i = 0, end = m / LOGICAL * LOGICAL; i < end; i += LOGICAL) {
                    FloatVector v = FloatVector.fromArray(F, x, xc + i);
                    a0 = FloatVector.fromArray(F, scratch, i).fma(v, a0);
                    a1 = FloatVector.fromArray(F, scratch, PIECE + i).fma(v, a1);
                    a2 = FloatVector.fromArray(F, scratch, 2 * PIECE + i).fma(v, a2);
                    a3 = FloatVector.fromArray(F, scratch, 3 * PIECE + i).fma(v, a3);
                }
            }
            // a tail (not a multiple of the logical lanes) can only end the chunk's last piece, still in scratch
            int last = (n - 1) / PIECE * PIECE;
            int m = n - last;
            int from = m / LOGICAL * LOGICAL;
            int xc = xOff + c + last;
            out[outOff] += tail(scratch, 0, x, xc, from, m, FixedOrder.sum16(a0, z, z, z));
            out[outOff + 1] += tail(scratch, PIECE, x, xc, from, m, FixedOrder.sum16(a1, z, z, z));
            out[outOff + 2] += tail(scratch, 2 * PIECE, x, xc, from, m, FixedOrder.sum16(a2, z, z, z));
            out[outOff + 3] += tail(scratch, 3 * PIECE, x, xc, from, m, FixedOrder.sum16(a3, z, z, z));
        }
    }

    /**
     * Whether a matvec should take this matrix's rows four at a time ({@link #dot4}): rows wider than
     * {@link #WIDE}, and one vector holding dot's sixteen logical lanes (512 bits). With more accumulators
     * per row the integer-lane kernel this replaced had C2 stop inlining its loads and box the vectors; that
     * was not measured again for this one.
     */
    boolean dotsFourRows() {
        return W == LOGICAL && cols > WIDE;
    }

    /** chunk + w[wOff + i] x[xi + i] for i in [from, n), in order (FloatOps#dot's scalar tail). */
    private static float tail(float[] w, int wOff, float[] x, int xi, int from, int n, float chunk) {
        for (int i = from; i < n; i++) {
            chunk = Math.fma(w[wOff + i], x[xi + i], chunk);
        }
        return chunk;
    }

    @Override
    void dequantize(int row, int col, int n, float[] dst, int dstOff) {
        widen(offset(row, col), dst, dstOff, n);
    }

    /**
     * A plain loop on purpose: C2 compiles it to the CPU's half-to-float vector instruction (F16C,
     * AVX-512), one instruction per vector where a widening in Vector API integer lanes takes about seven;
     * the conversion is exact either way.
     */
    private void widen(long off, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(data.get(SHORT, off + 2L * i));
        }
    }
}
