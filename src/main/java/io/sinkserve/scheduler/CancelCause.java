package io.sinkserve.scheduler;

public enum CancelCause {
    /** The client went away. */
    CLIENT,
    /** The service shut down before the generation could finish. */
    SHUTDOWN
}
