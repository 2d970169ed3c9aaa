package io.sinkserve.session;

/** No such session for this caller (also when it belongs to another API key, so ids do not leak). */
public final class SessionNotFoundException extends RuntimeException {
    public SessionNotFoundException(String id) {
        super("session '" + id + "' not found (it may have expired or been removed)");
    }
}
