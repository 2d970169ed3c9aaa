package io.sinkserve.scheduler;

import io.sinkserve.generate.FinishReason;

/**
 * How a generation ended.
 *
 * @param prefilledTokens  prompt tokens run through the model for this request
 * @param generatedTokens  tokens sampled, end-of-generation token excluded
 * @param cancelCause      why it was cancelled, or null
 */
public record GenerationResult(FinishReason finishReason, CancelCause cancelCause, int prefilledTokens,
                               int generatedTokens, long queuedNanos, long timeToFirstTokenNanos, long durationNanos) {

    /** Decode speed after the first token, in tokens per second (0 when fewer than two tokens). */
    public double tokensPerSecond() {
        long decodeNanos = durationNanos - timeToFirstTokenNanos;
        return generatedTokens < 2 || decodeNanos <= 0 ? 0 : (generatedTokens - 1) * 1e9 / decodeNanos;
    }
}
