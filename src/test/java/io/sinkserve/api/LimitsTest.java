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
    private static final String ONCE = "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"max_tokens\":%d,\"seed\":7}";

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
        HttpResponse<String> theirs = http.post("/v1/chat/completions", String.format(ONCE, 2),
                "Authorization", "Bearer key-b", "X-Session-ID", id);
        assertEquals(200, theirs.statusCode(), "key-b's X-Session-ID names key-b's own session: " + theirs.body());
        assertEquals(0, Http.json(http.get("/v1/sessions/" + id, "Authorization", KEY_A).body()).get("requests").asInt(),
                "key-a's session was not touched");
    }

    @Test
    @Order(2)
    void sessionIdsArePerKeySoNoKeyCanSquatOnAnother() throws Exception {
        String id = "user-42";
        HttpResponse<String> b = http.post("/v1/chat/completions", String.format(ONCE, 4), "Authorization", "Bearer key-b",
                "X-Session-ID", id);
        assertEquals(200, b.statusCode(), b.body());
        HttpResponse<String> a = http.post("/v1/chat/completions", String.format(ONCE, 4), "Authorization", KEY_A,
                "X-Session-ID", id);
        assertEquals(200, a.statusCode(), "key-b used the id first, key-a still gets its own session: " + a.body());
        assertEquals(id, a.headers().firstValue("X-Session-ID").orElseThrow());
        assertEquals(0, Http.json(a.body()).at("/usage/prompt_tokens_details/cached_tokens").asInt(),
                "nothing of key-b's session is reused for key-a");
        for (String key : new String[] {KEY_A, "Bearer key-b"}) {
            JsonNode info = Http.json(http.get("/v1/sessions/" + id, "Authorization", key).body());
            assertEquals(1, info.get("requests").asInt(), key + "'s " + id + " served one request: " + info);
        }
    }

    @Test
    @Order(3)
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
    @Order(4)
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
    @Order(5)
    void aTurnRefusedForAFullServerLeavesItsSessionAsItWas() throws Exception {
        String id = "keep-429";
        HttpResponse<String> t1 = post(String.format(ONCE, 8), "X-Session-ID", id);
        assertEquals(200, t1.statusCode(), t1.body());
        String reply = Http.json(t1.body()).at("/choices/0/message/content").asText();
        String turn2 = "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"},{\"role\":\"assistant\",\"content\":"
                + Http.quote(reply) + "},{\"role\":\"user\",\"content\":\"More\"}],\"max_tokens\":4,\"seed\":7}";
        JsonNode before = Http.json(http.get("/v1/sessions/" + id, "Authorization", KEY_A).body());
        try (RawStream running = RawStream.post(base, "/v1/chat/completions", String.format(USER, 100_000), 1024,
                "Authorization", KEY_A)) {
            awaitMetric("sinkserve_requests_running", 1);
            CompletableFuture<HttpResponse<String>> queued = CompletableFuture.supplyAsync(() -> post(String.format(USER, 2)));
            awaitMetric("sinkserve_requests_waiting", 1);
            HttpResponse<String> rejected = post(turn2, "X-Session-ID", id);
            assertEquals(429, rejected.statusCode(), rejected.body());
            running.close();
            assertEquals(200, queued.get().statusCode());
        }
        JsonNode after = Http.json(http.get("/v1/sessions/" + id, "Authorization", KEY_A).body());
        assertEquals(before.get("cache"), after.get("cache"));
        assertEquals(before.get("requests"), after.get("requests"));
        HttpResponse<String> t2 = post(turn2, "X-Session-ID", id);
        assertEquals(200, t2.statusCode(), t2.body());
        assertTrue(Http.json(t2.body()).at("/usage/prompt_tokens_details/cached_tokens").asInt() > 0, t2.body());
        assertEquals(0, Http.json(http.get("/v1/sessions/" + id, "Authorization", KEY_A).body()).get("rebuilds").asInt());
    }

    @Test
    @Order(6)
    void aClientThatHangsUpWhileQueuedLeavesTheQueueAtOnce() throws Exception {
        try (RawStream running = RawStream.post(base, "/v1/chat/completions", String.format(USER, 100_000), 1024,
                "Authorization", KEY_A)) {
            awaitMetric("sinkserve_requests_running", 1);
            RawStream queued = RawStream.post(base, "/v1/chat/completions", String.format(USER, 2), 0, "Authorization", KEY_A);
            awaitMetric("sinkserve_requests_waiting", 1);
            queued.close();
            awaitMetric("sinkserve_requests_waiting", 0);
            assertEquals(1.0, metric("sinkserve_requests_running"), "the running stream still runs");
            CompletableFuture<HttpResponse<String>> next = CompletableFuture.supplyAsync(() -> post(String.format(USER, 2)));
            awaitMetric("sinkserve_requests_waiting", 1);
            running.close();
            assertEquals(200, next.get().statusCode(), "the freed queue slot took a new request");
        }
    }

    @Test
    @Order(20)
    void duringShutdownRequestsGet503() throws Exception {
        runtime.drain();
        HttpResponse<String> r = post(String.format(USER, 2));
        assertEquals(503, r.statusCode());
        assertEquals("shutting_down", Http.json(r.body()).at("/error/code").asText());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertEquals(503, http.get("/q/health/ready").statusCode());
    }

    private HttpResponse<String> post(String body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = KEY_A;
        System.arraycopy(headers, 0, all, 2, headers.length);
        try {
            return http.post("/v1/chat/completions", body, all);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private double metric(String name) throws Exception {
        for (String line : http.get("/q/metrics").body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{} ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " is not in /q/metrics");
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
