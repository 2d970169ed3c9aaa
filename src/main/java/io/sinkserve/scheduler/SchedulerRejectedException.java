package io.sinkserve.scheduler;

/** The scheduler did not take a generation: full, or shutting down. */
public final class SchedulerRejectedException extends RuntimeException {
    public enum Reason { OVERLOADED, SHUTTING_DOWN }

    private final Reason reason;

    public SchedulerRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
