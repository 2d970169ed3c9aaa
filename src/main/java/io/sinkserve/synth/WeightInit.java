package io.sinkserve.synth;

import java.util.Arrays;

/** How the values of one synthetic tensor are made, one row at a time. */
sealed interface WeightInit {
    /** Writes row {@code row} ({@code n} values) into {@code dst}. */
    void fill(float[] dst, int n, long seed, String tensor, long row);

    /** Seeded noise of standard deviation {@code std}, like a fresh initialisation. */
    record Normal(float std) implements WeightInit {
        @Override
        public void fill(float[] dst, int n, long seed, String tensor, long row) {
            WeightNoise.fill(dst, n, WeightNoise.stream(seed, tensor, row), std);
        }
    }

    /** Every value the same, e.g. norm weights of 1. */
    record Constant(float value) implements WeightInit {
        @Override
        public void fill(float[] dst, int n, long seed, String tensor, long row) {
            Arrays.fill(dst, 0, n, value);
        }
    }

    /** Fixed values for a one-row tensor, e.g. rope frequency factors. */
    record Values(float[] values) implements WeightInit {
        @Override
        public void fill(float[] dst, int n, long seed, String tensor, long row) {
            System.arraycopy(values, 0, dst, 0, n);
        }
    }
}
