package io.sinkserve.persist;

/** A snapshot file that cannot be restored, with the reason it is counted under and a message a person can act on. */
public final class SnapshotRejectedException extends Exception {
    private final SkipReason reason;

    public SnapshotRejectedException(SkipReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SnapshotRejectedException(SkipReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public SkipReason reason() {
        return reason;
    }
}
