package io.sinkserve.api;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A browser on an allowed origin can preflight (without its key) and then call the API and read X-Session-ID. */
@QuarkusTest
@TestProfile(CorsProfile.class)
class CorsTest extends ServiceTestBase {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private HttpResponse<String> preflight(String origin) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(base + "v1/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type,x-session-id").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> list(HttpResponse<?> r, String header) {
        return Arrays.stream(r.headers().firstValue(header).orElse("").split(","))
                .map(s -> s.strip().toLowerCase()).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    @Test
    void preflightFromTheAllowedOriginNeedsNoKey() throws Exception {
        HttpResponse<String> r = preflight(CorsProfile.ORIGIN);
        assertTrue(r.statusCode() == 204 || r.statusCode() == 200, "status " + r.statusCode());
        assertEquals(CorsProfile.ORIGIN, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(list(r, "Access-Control-Allow-Methods").contains("post"), r.headers().toString());
        assertTrue(list(r, "Access-Control-Allow-Headers").containsAll(Set.of("authorization", "content-type", "x-session-id")),
                r.headers().toString());
    }

    @Test
    void theActualRequestExposesTheSessionHeader() throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(Http.chat("Hi", 2, 1, false, "")))
                .header("Origin", CorsProfile.ORIGIN).header("Content-Type", "application/json")
                .header("Authorization", "Bearer key-c").header("X-Session-ID", "cors-1").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(CorsProfile.ORIGIN, r.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(list(r, "Access-Control-Expose-Headers").contains("x-session-id"), r.headers().toString());
        assertEquals("cors-1", r.headers().firstValue("X-Session-ID").orElse(null));
    }

    @Test
    void anotherOriginGetsNoCorsHeaders() throws Exception {
        HttpResponse<String> r = preflight("https://evil.example.com");
        assertTrue(r.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), r.headers().toString());
        assertTrue(r.statusCode() >= 400, "status " + r.statusCode());
    }
}
