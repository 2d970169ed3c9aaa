package io.sinkserve.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Accumulates the negative log-likelihood of scored tokens: perplexity = exp(mean NLL), overall and per
 * segment of a fixed number of scored tokens (so a long stream shows whether quality stays flat).
 */
public final class PerplexityMeter {
    private final int segmentLength;
    private final List<Double> segments = new ArrayList<>();
    private double nll;
    private double nllSquared;
    private long count;
    private double segmentNll;
    private int segmentCount;

    public PerplexityMeter(int segmentLength) {
        if (segmentLength <= 0) {
            throw new IllegalArgumentException("segment length must be > 0, got " + segmentLength);
        }
        this.segmentLength = segmentLength;
    }

    /** Scores {@code target} against the logits at {@code logits[offset, offset + vocab)}. */
    public void add(float[] logits, int offset, int vocab, int target) {
        addNll(-logSoftmax(logits, offset, vocab, target));
    }

    void addNll(double x) {
        nll += x;
        nllSquared += x * x;
        count++;
        segmentNll += x;
        if (++segmentCount == segmentLength) {
            segments.add(Math.exp(segmentNll / segmentCount));
            segmentNll = 0;
            segmentCount = 0;
        }
    }

    /** log p(target) under softmax(logits), computed stably in double. */
    static double logSoftmax(float[] logits, int offset, int vocab, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + vocab; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = offset; i < offset + vocab; i++) {
            sum += Math.exp(logits[i] - max);
        }
        return logits[offset + target] - max - Math.log(sum);
    }

    public long tokens() {
        return count;
    }

    public double perplexity() {
        return count == 0 ? Double.NaN : Math.exp(nll / count);
    }

    /** llama.cpp's "+/-": the standard error of the mean NLL carried through exp. */
    public double perplexityError() {
        if (count < 2) {
            return Double.NaN;
        }
        double mean = nll / count;
        double variance = nllSquared / count - mean * mean;
        return variance > 0 ? Math.sqrt(variance / (count - 1)) * perplexity() : 0;
    }

    public int segmentLength() {
        return segmentLength;
    }

    /** Perplexity of each complete segment; a trailing partial segment is left out. */
    public List<Double> segments() {
        return List.copyOf(segments);
    }
}
