package io.sinkserve.api;

import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.KvStorage;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What {@code serve} checks in the effective configuration before Quarkus binds its port, so that a mistake ends
 * the process with one line instead of leaving a server up that never becomes ready, or one open to the network
 * with no key.
 */
public final class StartupCheck {
    private StartupCheck() {
    }

    /** Throws IllegalArgumentException with a one-line message naming the setting that is wrong. */
    public static void verify(SinkserveConfig config, String host) {
        ModelLocator.locate(config);
        atLeast("sinkserve.threads", config.threads(), 0);
        atLeast("sinkserve.cache.sinks", config.cache().sinks(), 0);
        config.cache().window().ifPresent(w -> atLeast("sinkserve.cache.window", w, 1));
        atLeast("sinkserve.limits.max-running", config.limits().maxRunning(), 1);
        SessionChoice.configured(EvictionPolicy.class, config.cache().policy(), "sinkserve.cache.policy");
        SessionChoice.configured(KvStorage.class, config.cache().kvStorage(), "sinkserve.cache.kv-storage");
        boolean keys = new Auth(config.api().keys(), config.api().keysFile()).enabled();
        if (!keys && !config.api().allowUnauthenticated() && !isLoopback(host)) {
            throw new IllegalArgumentException("refusing to listen on " + host + " with no API key: set --api-key or"
                    + " --api-keys-file (SINKSERVE_API_KEYS, SINKSERVE_API_KEYS_FILE), or --allow-unauthenticated"
                    + " (SINKSERVE_API_ALLOW_UNAUTHENTICATED=true) to serve the network without one");
        }
    }

    private static void atLeast(String key, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", got " + value);
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("quarkus.http.host: cannot resolve '" + host + "'");
        }
    }
}
