package io.sinkserve.scheduler;

import java.time.Duration;

/**
 * @param maxRunning   sequences decoded together in one batch
 * @param maxWaiting   generations queued beyond those; more are rejected
 * @param prefillChunk prompt tokens prefilled per scheduler step, so a long prompt does not stall other streams
 * @param stallTimeout how long a stream may stay paused because its client reads nothing before it is cancelled
 */
public record SchedulerLimits(int maxRunning, int maxWaiting, int prefillChunk, Duration stallTimeout) {
    /** The server's default chunk ({@code sinkserve.limits.prefill-chunk}), which the CLI uses too. */
    public static final int DEFAULT_PREFILL_CHUNK = 64;

    public SchedulerLimits {
        if (maxRunning < 1 || maxWaiting < 0 || prefillChunk < 1 || stallTimeout == null || !stallTimeout.isPositive()) {
            throw new IllegalArgumentException("need maxRunning >= 1, maxWaiting >= 0, prefillChunk >= 1, stallTimeout > 0");
        }
    }

    /** Limits for callers whose listeners never pause (benchmarks, tests): no stall timeout to speak of. */
    public SchedulerLimits(int maxRunning, int maxWaiting, int prefillChunk) {
        this(maxRunning, maxWaiting, prefillChunk, Duration.ofDays(1));
    }
}
