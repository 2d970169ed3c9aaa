package io.sinkserve.session;

/** A turn would prefill more new tokens than one request may bring (sinkserve.limits.max-prompt-tokens). */
public final class PromptTooLongException extends RuntimeException {
    private final String param;

    public PromptTooLongException(int newTokens, int limit, String param) {
        super("the prompt brings " + newTokens + " new tokens; the limit is " + limit
                + " (sinkserve.limits.max-prompt-tokens)");
        this.param = param;
    }

    /** The request field the prompt came from. */
    public String param() {
        return param;
    }
}
