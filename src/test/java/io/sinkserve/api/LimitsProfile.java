package io.sinkserve.api;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.sinkserve.testing.TestFiles;

import java.util.Map;

/** Tiny limits (but a max_tokens limit long streams fit in), API keys, fast pings, and Gemma 2's template (which rejects a system role). */
public class LimitsProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "sinkserve.limits.max-running", "1",
                "sinkserve.limits.max-waiting", "1",
                "sinkserve.ping-interval", "100ms",
                "sinkserve.limits.max-tokens-limit", "100000",
                "sinkserve.api.keys", "key-a,key-b",
                "sinkserve.chat-template", TestFiles.template("google-gemma-2-2b-it.jinja").toString());
    }
}
