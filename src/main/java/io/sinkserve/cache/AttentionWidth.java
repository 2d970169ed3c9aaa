package io.sinkserve.cache;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width attention runs at: the CPU's preferred species, or the width {@code -Dsinkserve.vector.bits}
 * forces (128, 256 or 512), as the compute kernels choose theirs. Chosen once, at class initialisation, so
 * the species is a constant the JIT folds. The width changes speed, never results: attention accumulates
 * in a fixed logical layout of {@link #LOGICAL_LANES} lanes whatever the width holds them in.
 */
final class AttentionWidth {
    /** Float lanes of the accumulation layout every width maps onto (one 512-bit vector, two 256-bit, four 128-bit). */
    static final int LOGICAL_LANES = 16;

    static final VectorSpecies<Float> FLOAT = species(System.getProperty("sinkserve.vector.bits"));
    /** Float lanes per vector: 4, 8 or 16. */
    static final int LANES = FLOAT.length();

    private AttentionWidth() {
    }

    private static VectorSpecies<Float> species(String forced) {
        if (forced == null || forced.isBlank()) {
            // The logical layout spans 4..16 lanes: below 128 bits the Vector API is not intrinsified anyway.
            int bits = Math.clamp(FloatVector.SPECIES_PREFERRED.vectorBitSize(), 128, 512);
            return species(Integer.toString(bits));
        }
        return switch (forced.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("-Dsinkserve.vector.bits must be 128, 256 or 512, got '" + forced + "'");
        };
    }
}
