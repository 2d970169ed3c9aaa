package io.sinkserve.compute;

/**
 * Matrices whose rows decode into 16-bit quants with one scale per 32 values (Q8_0): a small batch of tokens dots each row from one {@link DecodedRow} instead of
 * decoding it once per token.
 */
sealed interface BlockScaledRows permits Q8_0Matrix {
    /** Decodes row {@code row} into {@code into}. */
    void decodeRow(int row, DecodedRow into);
}
