package io.sinkserve.scheduler;

import io.sinkserve.generate.TokenLogprob;

/** Receives a generation's output, on the scheduler's worker thread; must not block. */
public interface GenerationListener {
    /** The first token has been sampled (called once, before its text). */
    default void onFirstToken() {
    }

    /**
     * A generated token's logprobs, when the generation reports them: called right after the token is sampled,
     * before the text it completes (a stop string may hold that text back, or swallow it).
     */
    default void onLogprob(TokenLogprob logprob) {
    }

    /** New text, never part of a stop string. */
    void onText(String text);

    void onFinish(GenerationResult result);

    /** The engine failed for this generation; no onFinish follows. */
    void onError(RuntimeException error);
}
