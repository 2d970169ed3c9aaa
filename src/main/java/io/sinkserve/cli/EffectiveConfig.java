package io.sinkserve.cli;

import io.quarkus.runtime.configuration.DurationConverter;
import io.sinkserve.api.SinkserveConfig;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Duration;
import java.util.Map;

/**
 * The configuration the server will start with, read before Quarkus starts so that {@code serve} can check it:
 * the serve flags above system properties, environment variables and the packaged application.properties, in
 * the prod profile, which is Quarkus's own order for those sources, with its duration syntax (30s, 10m).
 * Throws ConfigValidationException when a value does not convert.
 */
final class EffectiveConfig {
    /** Above system properties (400), as the flags become system properties that overwrite -D options. */
    private static final int FLAGS_ORDINAL = 500;
    /** Quarkus's ordinal for the application.properties on the class path. */
    private static final int APPLICATION_PROPERTIES_ORDINAL = 250;
    /** Quarkus's prod default when no source sets quarkus.http.host. */
    private static final String QUARKUS_DEFAULT_HOST = "0.0.0.0";

    private final SmallRyeConfig config;

    EffectiveConfig(Map<String, String> flags) {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                .withProfile("prod")
                .addDefaultInterceptors()
                .addSystemSources()
                .withSources(new PropertiesConfigSource(flags, "serve flags", FLAGS_ORDINAL))
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(SinkserveConfig.class)
                .withValidateUnknown(false);
        URL properties = EffectiveConfig.class.getClassLoader().getResource("application.properties");
        if (properties != null) {
            try {
                builder.withSources(new PropertiesConfigSource(properties, APPLICATION_PROPERTIES_ORDINAL));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        config = builder.build();
    }

    SinkserveConfig sinkserve() {
        return config.getConfigMapping(SinkserveConfig.class);
    }

    String host() {
        return config.getOptionalValue("quarkus.http.host", String.class).orElse(QUARKUS_DEFAULT_HOST);
    }
}
