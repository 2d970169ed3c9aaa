package io.sinkserve.api;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class ObservabilityTest extends ServiceTestBase {
    @Test
    void metricsCarryTheDesignNamesAndNoSessionIds() throws Exception {
        String session = "metrics-probe-" + System.nanoTime();
        assertEquals(200, http.post("/v1/chat/completions", Http.chat("Hi", 4, 1, true, ""), "X-Session-ID", session).statusCode());
        String metrics = http.get("/q/metrics").body();
        for (String name : List.of("sinkserve_kvcache_evictions_total{policy=\"token\"",
                "sinkserve_kvcache_evictions_total{policy=\"batch\"", "sinkserve_kvcache_evicted_tokens_total",
                "sinkserve_kvcache_tokens", "sinkserve_kvcache_bytes", "sinkserve_kvcache_usage_ratio",
                "sinkserve_sessions_active", "sinkserve_sessions_removed_total{reason=\"ttl\"",
                "sinkserve_sessions_removed_total{reason=\"lru\"", "sinkserve_sessions_removed_total{reason=\"memory\"",
                "sinkserve_sessions_removed_total{reason=\"deleted\"", "sinkserve_prompt_tokens_total",
                "sinkserve_generated_tokens_total", "sinkserve_requests_running", "sinkserve_requests_waiting",
                "sinkserve_requests_cancelled_total", "sinkserve_time_to_first_token_seconds_bucket",
                "sinkserve_time_to_first_token_seconds_count", "sinkserve_inter_token_latency_seconds_bucket",
                "sinkserve_request_duration_seconds_bucket", "sinkserve_decode_tokens_per_second")) {
            assertTrue(metrics.contains("\n" + name), name + " missing from /q/metrics");
        }
        assertFalse(metrics.contains(session), "a session id never becomes a label");
    }

    @Test
    void healthAndOpenApiAreServed() throws Exception {
        assertEquals(200, http.get("/q/health/live").statusCode());
        HttpResponse<String> ready = http.get("/q/health/ready");
        assertEquals(200, ready.statusCode());
        assertTrue(ready.body().contains("\"model\""));
        String openapi = http.get("/q/openapi?format=json").body();
        for (String path : List.of("/v1/models", "/v1/chat/completions", "/v1/completions", "/v1/sessions",
                "/v1/sessions/{id}", "/v1/sessions/{id}/messages")) {
            assertTrue(openapi.contains("\"" + path + "\""), path + " is documented");
        }
        assertEquals(200, http.get("/q/swagger-ui/").statusCode());
    }
}
