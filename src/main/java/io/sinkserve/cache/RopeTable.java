package io.sinkserve.cache;

/**
 * The rotary angles of a batch of rows, computed once per forward pass and read by every layer and head:
 * row i holds the cosines and sines of one rotation amount (a token's position, or the shift that moves
 * its query to its cache position for the sinks). Not thread-safe to {@link #set}; read concurrently.
 */
public final class RopeTable {
    private final Rope rope;
    private final int pairs;
    private final float[] cos;
    private final float[] sin;

    public RopeTable(Rope rope, int rows) {
        this.rope = rope;
        this.pairs = rope.pairs();
        this.cos = new float[rows * pairs];
        this.sin = new float[rows * pairs];
    }

    /** Row {@code row} becomes a rotation by {@code amount} positions (may be negative). */
    public void set(int row, long amount) {
        rope.angles(amount, cos, sin, row * pairs);
    }

    /** Rotates {@code heads} consecutive head vectors from {@code x[off]} by row {@code row}'s amount. */
    public void rotate(float[] x, int off, int heads, int row) {
        rotate(x, off, heads, rope.headDim(), row);
    }

    /** As {@link #rotate(float[], int, int, int)}, with head vectors {@code stride} floats apart. */
    void rotate(float[] x, int off, int heads, int stride, int row) {
        rope.rotate(x, off, heads, stride, cos, sin, row * pairs);
    }
}
