package io.sinkserve.api;

import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.model.ModelConfig;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

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
        ModelLocator.ServedModel model = ModelLocator.locate(config);
        atLeast("sinkserve.threads", config.threads(), 0);
        atLeast("sinkserve.limits.max-running", config.limits().maxRunning(), 1);
        ConfiguredCache.of(config.cache(), contextLength(model.path()));
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

    /** The model's trained context, from its header: the cache's defaults depend on it. */
    private static int contextLength(Path model) {
        try (GGUFFile f = GGUFFile.open(model)) {
            return ModelConfig.from(f).contextLength();
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
