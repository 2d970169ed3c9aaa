package io.sinkserve.scheduler;

public enum CancelCause {
    /** The client went away. */
    CLIENT,
    /** The client stopped reading for longer than the stall timeout. */
    STALLED,
    /** The service shut down before the generation could finish. */
    SHUTDOWN
}
