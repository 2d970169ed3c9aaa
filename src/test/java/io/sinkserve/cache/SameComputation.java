package io.sinkserve.cache;

/**
 * Tolerance for two runs of the very same computation on the same data (dense vs streaming before any
 * eviction, a snapshot or fork vs its original). They are bitwise equal within one JIT tier (checked with
 * -Xint), but the Vector API may sum lanes in another order once a kernel is compiled, so a run that
 * straddles a compilation differs in the last bit. Any real divergence is orders of magnitude larger.
 */
public final class SameComputation {
    public static final float TOLERANCE = 1e-5f;

    private SameComputation() {
    }
}
