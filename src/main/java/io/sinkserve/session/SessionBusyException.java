package io.sinkserve.session;

/** The session is serving another request; a session takes one request at a time. */
public final class SessionBusyException extends RuntimeException {
    public SessionBusyException(String id) {
        super("session '" + id + "' is busy with another request; wait for it to finish");
    }
}
