package io.sinkserve.scheduler;

/** Receives a generation's output, on the scheduler's worker thread; must not block. */
public interface GenerationListener {
    /** The first token has been sampled (called once, before its text). */
    default void onFirstToken() {
    }

    /** New text, never part of a stop string. */
    void onText(String text);

    void onFinish(GenerationResult result);

    /** The engine failed for this generation; no onFinish follows. */
    void onError(RuntimeException error);
}
