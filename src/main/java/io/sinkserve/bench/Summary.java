package io.sinkserve.bench;

import java.util.Arrays;

/** Mean, sample standard deviation, median, min and max of repeated measurements (e.g. tokens/s per repetition). */
public record Summary(int count, double mean, double sd, double median, double min, double max) {

    public static Summary of(double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samples.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double mean = 0;
        for (double s : sorted) {
            mean += s;
        }
        mean /= n;
        double squares = 0;
        for (double s : sorted) {
            squares += (s - mean) * (s - mean);
        }
        double sd = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Summary(n, mean, sd, median, sorted[0], sorted[n - 1]);
    }
}
