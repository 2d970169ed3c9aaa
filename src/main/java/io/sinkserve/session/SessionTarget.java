package io.sinkserve.session;

/**
 * Which session a turn runs on.
 *
 * @param id            the session id; null for a throw-away session of one request
 * @param owner         the API key that owns it ("" without keys)
 * @param createIfNew   settings of a session created on first use (X-Session-ID); null: it must exist (native API)
 * @param implicitPrompt for a request without a session id when implicit sessions are on: the whole prompt, which
 *                      picks the owner's idle implicit session it continues exactly, else a new implicit session
 */
public record SessionTarget(String id, String owner, SessionSettings createIfNew, int[] implicitPrompt) {
    public SessionTarget(String id, String owner, SessionSettings createIfNew) {
        this(id, owner, createIfNew, null);
    }

    /** The owner's implicit session that {@code prompt} continues, or a new one (see {@link ImplicitSessions}). */
    public static SessionTarget implicit(String owner, SessionSettings settings, int[] prompt) {
        return new SessionTarget(null, owner, settings, prompt);
    }

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
