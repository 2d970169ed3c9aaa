package io.sinkserve.bench;

import java.util.Arrays;

/** Per-token latencies of one benchmark segment, kept in a preallocated array, summarised as percentiles. */
public final class LatencySegment {
    private final long[] nanos;
    private int size;

    public LatencySegment(int capacity) {
        this.nanos = new long[capacity];
    }

    public void record(long latencyNanos) {
        nanos[size++] = latencyNanos;
    }

    public boolean isFull() {
        return size == nanos.length;
    }

    public int size() {
        return size;
    }

    public void clear() {
        size = 0;
    }

    /** Nearest-rank percentile in milliseconds; sorts the recorded values in place. */
    public double percentileMillis(double p) {
        if (size == 0) {
            throw new IllegalStateException("no latencies recorded");
        }
        Arrays.sort(nanos, 0, size);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return nanos[Math.clamp(rank - 1, 0, size - 1)] / 1e6;
    }
}
