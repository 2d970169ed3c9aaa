package io.sinkserve.compute;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Block-quantised matrices read row by row (Q8_0), dotted with a {@link QuantizedVector}: each type
 * decodes 16 quants at a time into 16-bit lanes, multiplies them with the activation's 16-bit quants,
 * and hands the products to {@link #accumulate}, the one integer-to-float step they all share. Integer
 * products avoid converting every weight to float, which is what bounds a float kernel on this CPU.
 */
abstract sealed class QuantizedMatrix extends WeightMatrix permits Q8_0Matrix {
    /**
     * The integer kernels work on 16 quants at a time in 16-bit lanes and accumulate in 8 float lanes
     * (reduced by {@link FixedOrder#sum8}); integer sums are exact, so only this float layout fixes the bits.
     */
    static final VectorSpecies<Float> F = F256;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

    QuantizedMatrix(TensorType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
    }

    /**
     * Row {@code row} · x, where x was quantised from an activation of length cols. Each kernel first
     * gathers the combined weight-times-activation scale of every block into {@code scales} (at least
     * {@link #scratchLength} floats of working space) in a pass of its own, so its vector loop only loads one float per
     * block instead of decoding half floats and packed scales between vector operations.
     */
    abstract float dot(int row, QuantizedVector x, float[] scales);

    /**
     * The working space {@link #dot} needs for a row of {@code cols}: two floats per 32-value block and 16 for
     * lane sums, stored and reduced (see {@link FixedOrder#sum16(float[], int)}).
     */
    static int scratchLength(int cols) {
        return cols / 16 + 16;
    }

    /**
     * acc += scale * Σ products. The 16 products (each |p| < 2^15) are summed pairwise into 8 32-bit lanes,
     * the equivalent of x86's pmaddwd, which the Vector API does not expose.
     */
    static FloatVector accumulate(ShortVector products, float scale, FloatVector acc) {
        IntVector p = (IntVector) products.reinterpretShape(I, 0);
        IntVector pairs = p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(p.lanewise(VectorOperators.ASHR, 16));
        return ((FloatVector) pairs.convertShape(VectorOperators.I2F, F, 0)).fma(FloatVector.broadcast(F, scale), acc);
    }
}
