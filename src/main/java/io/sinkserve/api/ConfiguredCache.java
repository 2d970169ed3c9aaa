package io.sinkserve.api;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.InvalidCacheConfigException.Setting;
import io.sinkserve.cache.InvalidCacheConfigException;
import io.sinkserve.cache.KvStorage;

/**
 * The cache the {@code sinkserve.cache.*} settings describe, and the names a cache setting has in the
 * configuration and in the session API, so that an error names the setting as its user wrote it.
 */
final class ConfiguredCache {
    private ConfiguredCache() {
    }

    /** The configured cache for a model of {@code contextLength} tokens; a bad value is an error naming its key. */
    static CacheConfig of(SinkserveConfig.Cache c, int contextLength) {
        EvictionPolicy policy = SessionChoice.configured(EvictionPolicy.class, c.policy(), key(Setting.POLICY));
        KvStorage storage = SessionChoice.configured(KvStorage.class, c.kvStorage(), key(Setting.STORAGE));
        try {
            return CacheConfig.configured(contextLength, c.sinks(), c.window(), policy, c.batchSize(), storage);
        } catch (InvalidCacheConfigException e) {
            throw new IllegalArgumentException(e.messageFor(key(e.setting())), e);
        }
    }

    /** The setting's field in {@code POST /v1/sessions}; a pinned prefix comes from pinning the system prompt. */
    static String field(Setting s) {
        return switch (s) {
            case SINKS -> "sinks";
            case WINDOW -> "window";
            case POLICY -> "policy";
            case BATCH_SIZE -> "batch_size";
            case STORAGE -> "kv_storage";
            case PINNED_PREFIX -> "pin_system_prompt";
        };
    }

    /** The setting's configuration key: the field's name under {@code sinkserve.cache}, in kebab case. */
    static String key(Setting s) {
        return "sinkserve.cache." + field(s).replace('_', '-');
    }
}
