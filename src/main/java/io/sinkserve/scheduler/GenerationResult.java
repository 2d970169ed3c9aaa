package io.sinkserve.scheduler;

import io.sinkserve.generate.FinishReason;

/**
 * How a generation ended.
 *
 * @param prefilledTokens  prompt tokens run through the model for this request
 * @param generatedTokens  tokens sampled, end-of-generation token excluded
 * @param cancelCause      why it was cancelled, or null
 * @param unfedToken       the last generated token when the budget ran out: emitted but not yet fed to the
 *                         sequence (a next turn feeds it first); -1 otherwise
 */
public record GenerationResult(FinishReason finishReason, CancelCause cancelCause, int prefilledTokens,
                               int generatedTokens, int unfedToken, long queuedNanos, long timeToFirstTokenNanos, long durationNanos) {

    /** Prompt tokens per second up to the first token (prefill and the first sample); NaN before it. */
    public double prefillTokensPerSecond() {
        return timeToFirstTokenNanos <= 0 ? Double.NaN : prefilledTokens * 1e9 / timeToFirstTokenNanos;
    }

    /** Decode speed after the first token, in tokens per second (0 when fewer than two tokens). */
    public double tokensPerSecond() {
        long decodeNanos = durationNanos - timeToFirstTokenNanos;
        return generatedTokens < 2 || decodeNanos <= 0 ? 0 : (generatedTokens - 1) * 1e9 / decodeNanos;
    }
}
