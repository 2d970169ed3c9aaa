package io.sinkserve.cache;

import io.sinkserve.cache.InvalidCacheConfigException.Setting;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CacheConfigTest {
    private static final OptionalInt UNSET = OptionalInt.empty();

    private static CacheConfig configured(int contextLength, int sinks, OptionalInt window, OptionalInt batch) {
        return CacheConfig.configured(contextLength, sinks, window, EvictionPolicy.BATCH, batch, KvStorage.F16);
    }

    private static InvalidCacheConfigException invalid(Setting expected, Executable make) {
        InvalidCacheConfigException e = assertThrows(InvalidCacheConfigException.class, make);
        assertEquals(expected, e.setting(), e.getMessage());
        return e;
    }

    @Test
    void unsetWindowAndBatchComeFromTheContextAndTheWindow() {
        assertEquals(new CacheConfig(4, 508, EvictionPolicy.BATCH, 254, KvStorage.F16, 0), configured(512, 4, UNSET, UNSET));
        assertEquals(CacheConfig.MAX_DEFAULT_WINDOW, configured(131_072, 4, UNSET, UNSET).window(),
                "a long context gets the bounded default window");
        assertEquals(30, configured(512, 4, OptionalInt.of(60), UNSET).batchSize(), "half a window of its own");
        assertEquals(7, configured(512, 4, OptionalInt.of(60), OptionalInt.of(7)).batchSize());
        assertEquals(1, CacheConfig.defaultBatchSize(1));
        assertEquals(CacheConfig.streaming(2, 9).batchSize(), CacheConfig.defaultBatchSize(9));
    }

    @Test
    void eachBadValueNamesItsSetting() {
        invalid(Setting.SINKS, () -> CacheConfig.streaming(-1, 8));
        invalid(Setting.WINDOW, () -> configured(512, 4, OptionalInt.of(0), UNSET));
        invalid(Setting.PINNED_PREFIX, () -> CacheConfig.streaming(4, 8).withPinnedPrefix(-2));
        invalid(Setting.POLICY, () -> CacheConfig.streaming(4, 8).withPolicy(null));
        invalid(Setting.STORAGE, () -> CacheConfig.streaming(4, 8).withStorage(null));
        invalid(Setting.WINDOW, () -> CacheConfig.streaming(4, Integer.MAX_VALUE / 2));
        InvalidCacheConfigException batch = invalid(Setting.BATCH_SIZE,
                () -> configured(512, 4, OptionalInt.of(64), OptionalInt.of(65)));
        assertEquals("eviction batch size must be between 1 and the window (64), got 65", batch.getMessage());
        assertEquals("'batch_size' must be between 1 and the window (64), got 65", batch.messageFor("'batch_size'"));
    }

    @Test
    void sinksThatFillTheContextLeaveNoDefaultWindow() {
        InvalidCacheConfigException e = invalid(Setting.SINKS, () -> configured(512, 512, UNSET, UNSET));
        assertEquals("sinks must leave room for a window in the model's context (512 tokens) when no window is set,"
                + " got 512", e.getMessage());
        assertEquals(1, configured(512, 512, OptionalInt.of(1), UNSET).window(), "a window of its own is not bounded");
    }

    @Test
    void aCacheFitsAContextWhenItsSinksAndWindowDo() {
        CacheConfig c = CacheConfig.streaming(4, 508);
        assertEquals(c, c.requireWithin(512));
        invalid(Setting.WINDOW, () -> c.requireWithin(511));
        invalid(Setting.SINKS, () -> CacheConfig.streaming(512, 1).requireWithin(512));
    }
}
