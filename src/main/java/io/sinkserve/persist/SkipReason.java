package io.sinkserve.persist;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Why a snapshot file was not restored; the {@code reason} label of {@code sinkserve_session_snapshots_skipped_total}. */
public enum SkipReason {
    /** Not a snapshot, truncated, checksum mismatch, or contents that do not parse or validate. */
    CORRUPT,
    /** Written by a format version this build does not read. */
    VERSION,
    /** Written for another model file (size or header hash differ). */
    MODEL,
    /** Its owner's API key is no longer accepted (or keys were turned on or off). */
    OWNER,
    /** The session limits (count, KV memory budget) had no room left. */
    LIMITS;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static List<String> labels() {
        return Arrays.stream(values()).map(SkipReason::label).toList();
    }
}
