package io.sinkserve.session;

/** No room for another session or cache: every candidate for removal is in use. */
public final class SessionCapacityException extends RuntimeException {
    public SessionCapacityException(String message) {
        super(message);
    }
}
