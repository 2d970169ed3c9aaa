package io.sinkserve.model;

/** The chat template refused the conversation (e.g. a role the model does not support). */
public final class PromptRejectedException extends RuntimeException {
    public PromptRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
