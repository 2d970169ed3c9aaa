package io.sinkserve.session;

import java.time.Duration;

/**
 * @param maxSessions     named sessions kept at once; beyond, the least recently used idle one is removed
 * @param idleTtl         a session unused this long is removed
 * @param kvMemoryBudget  bytes all KV caches may take together; beyond, least recently used idle sessions go
 */
public record SessionLimits(int maxSessions, Duration idleTtl, long kvMemoryBudget) {
}
