package io.sinkserve.api;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/** Two API keys, so implicit sessions can be checked to stay with the key that made them. */
public class ImplicitSessionsProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("sinkserve.api.keys", "key-a,key-b");
    }
}
