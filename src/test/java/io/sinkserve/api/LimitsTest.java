package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@TestProfile(LimitsProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LimitsTest extends ServiceTestBase {
    private static final String KEY_A = "Bearer key-a";
    private static final String USER = "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":%d,\"stream\":true}";

    @Inject
    ServiceRuntime runtime;

    @Test
    @Order(1)
    void keysAreRequiredAndSessionsBelongToTheirKey() throws Exception {
        HttpResponse<String> none = http.get("/v1/models");
        assertEquals(401, none.statusCode());
        assertEquals("invalid_api_key", Http.json(none.body()).at("/error/code").asText());
        assertEquals(401, http.get("/v1/models", "Authorization", "Bearer wrong").statusCode());
        assertEquals(200, http.get("/q/health/ready").statusCode(), "health stays open");
        assertEquals(200, http.get("/q/metrics").statusCode(), "metrics stay open");

        HttpResponse<String> c = http.post("/v1/sessions", "{}", "Authorization", KEY_A);
        assertEquals(201, c.statusCode(), c.body());
        String id = Http.json(c.body()).get("id").asText();
        assertEquals(200, http.get("/v1/sessions/" + id, "Authorization", KEY_A).statusCode());
        assertEquals(404, http.get("/v1/sessions/" + id, "Authorization", "Bearer key-b").statusCode());
        HttpResponse<String> foreign = http.post("/v1/chat/completions", String.format(USER, 2),
                "Authorization", "Bearer key-b", "X-Session-ID", id);
        assertEquals(404, foreign.statusCode());
        assertEquals("session_not_found", Http.json(foreign.body()).at("/error/code").asText());
    }

    @Test
    @Order(2)
    void aTemplateThatRejectsTheConversationIsA400() throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"system\",\"content\":\"Be nice\"},{\"role\":\"user\",\"content\":\"Hi\"}]}",
                "Authorization", KEY_A);
        assertEquals(400, r.statusCode(), r.body());
        JsonNode e = Http.json(r.body()).get("error");
        assertEquals("template_error", e.get("code").asText());
        assertEquals("messages", e.get("param").asText());
        assertTrue(e.get("message").asText().contains("System role not supported"), e.toString());
    }

    @Test
    @Order(3)
    void beyondRunningPlusWaitingRequestsGet429AndQueuedStreamsGetPings() throws Exception {
        CompletableFuture<HttpResponse<String>> running = CompletableFuture.supplyAsync(() -> post(String.format(USER, 300)));
        awaitMetric("sinkserve_requests_running", 1);
        CompletableFuture<HttpResponse<String>> queued = CompletableFuture.supplyAsync(() -> post(String.format(USER, 2)));
        awaitMetric("sinkserve_requests_waiting", 1);
        HttpResponse<String> rejected = post(String.format(USER, 2));
        assertEquals(429, rejected.statusCode(), rejected.body());
        assertEquals("1", rejected.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("rate_limit_exceeded", Http.json(rejected.body()).at("/error/code").asText());
        assertEquals(200, running.get().statusCode());
        HttpResponse<String> q = queued.get();
        assertEquals(200, q.statusCode());
        assertTrue(q.body().startsWith(": ping\n\n"), "a queued stream is kept alive with pings");
        assertTrue(q.body().endsWith("data: [DONE]\n\n"));
    }

    @Test
    @Order(4)
    void duringShutdownRequestsGet503() throws Exception {
        runtime.drain();
        HttpResponse<String> r = post(String.format(USER, 2));
        assertEquals(503, r.statusCode());
        assertEquals("shutting_down", Http.json(r.body()).at("/error/code").asText());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertEquals(503, http.get("/q/health/ready").statusCode());
    }

    private HttpResponse<String> post(String body) {
        try {
            return http.post("/v1/chat/completions", body, "Authorization", KEY_A);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitMetric(String name, double value) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String body = http.get("/q/metrics").body();
            if (body.contains("\n" + name + " " + value + "\n") || body.contains("\n" + name + "{} " + value + "\n")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(name + " never reached " + value);
    }
}
