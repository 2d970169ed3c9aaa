package io.sinkserve.cli;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.KvStorage;
import picocli.CommandLine.Option;

/** The StreamingLLM cache of a sequence: attention sinks + rolling window, eviction policy, storage. */
final class CacheOptions {
    @Option(names = "--sinks", defaultValue = "4", description = "attention sink tokens kept forever (default: ${DEFAULT-VALUE})")
    int sinks;

    @Option(names = "--window", defaultValue = "0",
            description = "rolling window of recent tokens (default: the model's context minus the sinks)")
    int window;

    @Option(names = "--policy", defaultValue = "token",
            description = "eviction policy: token (one per new token) or batch (a block at once); default: ${DEFAULT-VALUE}")
    String policy;

    @Option(names = "--evict-batch", defaultValue = "0",
            description = "tokens evicted at once by the batch policy (default: window/2)")
    int evictBatch;

    @Option(names = "--kv", defaultValue = "f32", description = "KV storage: f32 or f16 (default: ${DEFAULT-VALUE})")
    String kv;

    CacheConfig toConfig(int modelContext) {
        int w = window > 0 ? window : modelContext - sinks;
        if (w <= 0) {
            throw new IllegalArgumentException("--window must be > 0 (the model context " + modelContext
                    + " leaves no room beside " + sinks + " sinks)");
        }
        CacheConfig c = CacheConfig.streaming(sinks, w).withPolicy(policy()).withStorage(storage());
        return evictBatch > 0 ? c.withBatchSize(evictBatch) : c;
    }

    EvictionPolicy policy() {
        return switch (policy.toLowerCase()) {
            case "token" -> EvictionPolicy.TOKEN;
            case "batch" -> EvictionPolicy.BATCH;
            default -> throw new IllegalArgumentException("--policy must be token or batch, got " + policy);
        };
    }

    KvStorage storage() {
        return switch (kv.toLowerCase()) {
            case "f32" -> KvStorage.F32;
            case "f16" -> KvStorage.F16;
            default -> throw new IllegalArgumentException("--kv must be f32 or f16, got " + kv);
        };
    }
}
