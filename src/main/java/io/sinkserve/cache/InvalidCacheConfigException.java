package io.sinkserve.cache;

/**
 * A cache setting out of range. It names the setting and what it must be apart, so that a caller can report it
 * under the name its user knows (a configuration key, a request field).
 */
public final class InvalidCacheConfigException extends IllegalArgumentException {
    /** The settings of a {@link CacheConfig}. */
    public enum Setting {
        SINKS("sinks"), WINDOW("window"), POLICY("eviction policy"), BATCH_SIZE("eviction batch size"),
        STORAGE("KV storage"), PINNED_PREFIX("pinned prefix");

        private final String label;

        Setting(String label) {
            this.label = label;
        }
    }

    private final Setting setting;
    private final String requirement;

    /** @param requirement what the value must be and what it was, e.g. "must be at least 1, got 0" */
    InvalidCacheConfigException(Setting setting, String requirement) {
        super(setting.label + " " + requirement);
        this.setting = setting;
        this.requirement = requirement;
    }

    public Setting setting() {
        return setting;
    }

    /** The message with the setting called {@code name}. */
    public String messageFor(String name) {
        return name + " " + requirement;
    }
}
