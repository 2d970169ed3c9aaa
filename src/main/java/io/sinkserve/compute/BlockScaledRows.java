package io.sinkserve.compute;

/**
 * Matrices whose rows decode into 16-bit quants with one scale (and for Q4_K one min) per 32 values
 * (Q8_0, Q4_K): a small batch of tokens dots each row from one {@link DecodedRow} instead of
 * decoding it once per token.
 */
sealed interface BlockScaledRows permits Q8_0Matrix, Q4_KMatrix {
    /** Decodes row {@code row} into {@code into}. */
    void decodeRow(int row, DecodedRow into);
}
