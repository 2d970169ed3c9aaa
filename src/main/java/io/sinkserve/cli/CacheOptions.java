package io.sinkserve.cli;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.InvalidCacheConfigException;
import io.sinkserve.cache.KvStorage;
import picocli.CommandLine.Option;

import java.util.OptionalInt;

/** The StreamingLLM cache of a sequence: attention sinks + rolling window, eviction policy, storage. */
final class CacheOptions {
    @Option(names = "--sinks", defaultValue = "4", description = "attention sink tokens kept forever (default: ${DEFAULT-VALUE})")
    int sinks;

    @Option(names = "--window", defaultValue = "0",
            description = "rolling window of recent tokens (default, as for serve: the model's context minus the sinks, at most "
                    + CacheConfig.MAX_DEFAULT_WINDOW + ")")
    int window;

    @Option(names = "--policy", defaultValue = "token",
            description = "eviction policy: token (one per new token) or batch (a block at once); default: ${DEFAULT-VALUE}")
    String policy;

    @Option(names = "--evict-batch", defaultValue = "0",
            description = "tokens evicted at once by the batch policy (default: window/2)")
    int evictBatch;

    @Option(names = "--kv", defaultValue = "f32", description = "KV storage: f32 or f16 (default: ${DEFAULT-VALUE})")
    String kv;

    /** The cache these options give, with serve's defaults (CacheConfig.configured) for what they leave unset. */
    CacheConfig toConfig(int modelContext) {
        try {
            return CacheConfig.configured(modelContext, sinks, window > 0 ? OptionalInt.of(window) : OptionalInt.empty(),
                    policy(), evictBatch > 0 ? OptionalInt.of(evictBatch) : OptionalInt.empty(), storage());
        } catch (InvalidCacheConfigException e) {
            throw new IllegalArgumentException(e.messageFor(switch (e.setting()) {
                case SINKS -> "--sinks";
                case WINDOW -> "--window";
                case BATCH_SIZE -> "--evict-batch";
                default -> e.setting().name().toLowerCase();
            }), e);
        }
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
