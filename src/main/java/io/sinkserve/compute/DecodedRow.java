package io.sinkserve.compute;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/**
 * One row of a Q8_0 matrix, decoded once into 16-bit quants and float scales (value[i] = scales[b] *
 * quants[i], b = i / 32) so that every token of a small batch (batched decode) dots the same decoded row:
 * the byte unpacking and the half-float scale decode are paid once per row instead of once per token. One per worker; its arrays grow once and are
 * then reused.
 */
final class DecodedRow {
    short[] quants = new short[0];
    float[] scales = new float[0];
    /** The combined weight-times-activation scale of each block, for the token being dotted. */
    private float[] combined = new float[0];
    private final float[] lanes = new float[8];
    private int blocks;

    /** Makes room for a row of {@code cols} values. */
    void reset(int cols) {
        blocks = cols / QuantizedVector.BLOCK;
        if (quants.length < cols) {
            quants = new short[cols];
            scales = new float[blocks];
            combined = new float[blocks];
        }
    }

    /**
     * This row · x (x quantised from an activation of the row's length): the same operations in the same
     * order as {@link Q8_0Matrix#dot}, so a token gets the same bits in a batch as alone.
     */
    float dot(QuantizedVector x) {
        float[] c = combined;
        float[] xs = x.scale;
        for (int b = 0; b < blocks; b++) {
            c[b] = scales[b] * xs[b];
        }
        // Even and odd blocks in separate accumulators, as in the per-type kernels: one FMA chain would
        // wait an FMA latency per block.
        FloatVector even = FloatVector.zero(QuantizedMatrix.F);
        FloatVector odd = FloatVector.zero(QuantizedMatrix.F);
        short[] w = quants;
        short[] xq = x.q;
        int b = 0;
        for (int pairs = blocks & ~1; b < pairs; b += 2) {
            even = block(w, xq, b, c[b], even);
            odd = block(w, xq, b + 1, c[b + 1], odd);
        }
        if (b < blocks) {
            even = block(w, xq, b, c[b], even);
        }
        // reduced from the stored lanes (see FixedOrder#sum16(float[], int))
        even.add(odd).intoArray(lanes, 0);
        return FixedOrder.sum8(lanes, 0);
    }

    private FloatVector block(short[] w, short[] xq, int b, float scale, FloatVector acc) {
        int at = QuantizedVector.BLOCK * b;
        ShortVector p = ShortVector.fromArray(QuantizedMatrix.S, w, at).mul(ShortVector.fromArray(QuantizedMatrix.S, xq, at))
                .add(ShortVector.fromArray(QuantizedMatrix.S, w, at + 16).mul(ShortVector.fromArray(QuantizedMatrix.S, xq, at + 16)));
        return QuantizedMatrix.accumulate(p, scale, acc);
    }
}
