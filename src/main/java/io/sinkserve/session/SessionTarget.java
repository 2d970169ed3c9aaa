package io.sinkserve.session;

/**
 * Which session a turn runs on.
 *
 * @param id            the session id; null for a throw-away session of one request
 * @param owner         the API key that owns it ("" without keys)
 * @param createIfNew   settings of a session created on first use (X-Session-ID); null: it must exist (native API)
 */
public record SessionTarget(String id, String owner, SessionSettings createIfNew) {
    /** A session of one request only. */
    public static SessionTarget ephemeral(String owner, SessionSettings settings) {
        return new SessionTarget(null, owner, settings);
    }

    /** The owner's session {@code id}, created with {@code settings} on first use. */
    public static SessionTarget named(String id, String owner, SessionSettings settings) {
        return new SessionTarget(id, owner, settings);
    }

    /** The owner's existing session {@code id}. */
    public static SessionTarget existing(String id, String owner) {
        return new SessionTarget(id, owner, null);
    }
}
