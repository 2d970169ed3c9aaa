package io.sinkserve.session;

import java.util.Locale;

/** Why a session left the registry; the metric label. */
public enum RemovalReason {
    TTL, LRU, MEMORY, DELETED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
