package io.sinkserve.session;

import io.sinkserve.tokenizer.ChatMessage;

import java.util.List;
import java.util.Objects;

/**
 * Everything a session is besides its sequence, as plain data: what a snapshot file stores so the session can be
 * rebuilt after a restart with the same id, owner, settings, conversation and next-turn reuse.
 *
 * @param owner        the owner as the registry knows it (the persistence layer stores only its hash)
 * @param implicit     made for a client that sends no session id; restored, it is found again by its {@code seen} tokens
 * @param seen         what the next prompt must start with to continue (the last turn's canonical rendering); null: none
 * @param pending      tokens to feed before the new ones (see {@link Continuation}); empty when {@code seen} is null
 * @param lastUsedAtMs epoch milliseconds of the last release; restoring orders by it, the TTL clock starts afresh
 */
public record SessionSnapshot(String id, String owner, boolean implicit, SessionSettings settings, long createdAtMs,
                              long lastUsedAtMs, List<ChatMessage> conversation, int[] seen, int[] pending,
                              Counters counters) {

    public SessionSnapshot {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(counters, "counters");
        conversation = List.copyOf(conversation);
        pending = pending == null ? new int[0] : pending;
    }

    /** The same session under another owner string (the hash on disk, the key again on restore). */
    public SessionSnapshot withOwner(String newOwner) {
        return new SessionSnapshot(id, newOwner, implicit, settings, createdAtMs, lastUsedAtMs, conversation, seen, pending,
                counters);
    }

    /** The session's totals over its life, as {@code GET /v1/sessions/{id}} reports them. */
    public record Counters(long requests, long generatedTokens, long prefilledTokens, long rebuilds,
                           double lastTimeToFirstTokenMs, double lastTokensPerSecond) {
    }
}
