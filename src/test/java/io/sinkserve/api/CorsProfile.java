package io.sinkserve.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** One allowed browser origin and an API key, as a front-end on another origin would be set up. */
public class CorsProfile implements QuarkusTestProfile {
    static final String ORIGIN = "https://chat.example.org";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("sinkserve.api.cors-origins", ORIGIN, "sinkserve.api.keys", "key-c");
    }
}
