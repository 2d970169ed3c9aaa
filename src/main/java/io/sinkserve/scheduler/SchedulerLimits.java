package io.sinkserve.scheduler;

/**
 * @param maxRunning   sequences decoded together in one batch
 * @param maxWaiting   generations queued beyond those; more are rejected
 * @param prefillChunk prompt tokens prefilled per scheduler step, so a long prompt does not stall other streams
 */
public record SchedulerLimits(int maxRunning, int maxWaiting, int prefillChunk) {
    public SchedulerLimits {
        if (maxRunning < 1 || maxWaiting < 0 || prefillChunk < 1) {
            throw new IllegalArgumentException("need maxRunning >= 1, maxWaiting >= 0, prefillChunk >= 1");
        }
    }
}
