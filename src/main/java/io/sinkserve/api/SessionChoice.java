package io.sinkserve.api;

import io.sinkserve.cache.EvictionPolicy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The values a session's policy and KV storage may take, by case-insensitive name, for the configuration and
 * the session API alike. A dense cache ({@link EvictionPolicy#NONE}) is for evaluation, not for sessions.
 */
final class SessionChoice {
    private SessionChoice() {
    }

    static <E extends Enum<E>> List<E> allowed(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).filter(e -> e != EvictionPolicy.NONE).toList();
    }

    static <E extends Enum<E>> Optional<E> of(Class<E> type, String name) {
        return allowed(type).stream().filter(e -> e.name().equalsIgnoreCase(name)).findFirst();
    }

    /** The configured value of a setting, or an error naming the key and the values it may take. */
    static <E extends Enum<E>> E configured(Class<E> type, String value, String key) {
        return of(type, value).orElseThrow(() -> new IllegalArgumentException(
                key + ": unknown value '" + value + "'; expected one of " + names(type)));
    }

    static <E extends Enum<E>> String names(Class<E> type) {
        return allowed(type).stream().map(e -> e.name().toLowerCase(Locale.ROOT)).toList().toString();
    }
}
