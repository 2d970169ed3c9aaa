package io.sinkserve.persist;

import io.sinkserve.store.Sha256;

import java.nio.charset.StandardCharsets;

/**
 * How a session's owner (its API key, or "" without keys) is written to disk: a SHA-256, never the key itself. On
 * restore the hash is matched against the keys configured then, so a session comes back only for its own key.
 */
public final class OwnerHash {
    private OwnerHash() {
    }

    public static String of(String owner) {
        return Sha256.of(("sinkserve-session-owner\n" + owner).getBytes(StandardCharsets.UTF_8));
    }
}
