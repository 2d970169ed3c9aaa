package io.sinkserve.generate;

/**
 * What one generation produced: the emitted text (stop string excluded), token counts, why it ended, and
 * how long prefill and decode took.
 */
public record GenerationResult(String text, int promptTokens, int generatedTokens, FinishReason finishReason,
                               long prefillNanos, long decodeNanos) {

    public double prefillTokensPerSecond() {
        return rate(promptTokens, prefillNanos);
    }

    public double decodeTokensPerSecond() {
        return rate(generatedTokens, decodeNanos);
    }

    private static double rate(int tokens, long nanos) {
        return nanos == 0 ? Double.NaN : tokens * 1e9 / nanos;
    }
}
