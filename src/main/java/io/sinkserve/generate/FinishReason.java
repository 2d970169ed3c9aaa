package io.sinkserve.generate;

/** Why a generation ended; the names map onto OpenAI's {@code finish_reason} ("stop", "length"). */
public enum FinishReason {
    /** The model emitted an end-of-generation token or a stop string matched. */
    STOP,
    /** The token budget ({@code maxTokens}) or the context ran out. */
    LENGTH,
    /** The caller cancelled (e.g. the client disconnected). */
    CANCELLED
}
