package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chat requests without X-Session-ID continue the caller's session whose conversation they extend. */
@QuarkusTest
@TestProfile(ImplicitSessionsProfile.class)
class ImplicitSessionTest extends ServiceTestBase {
    private static final String A = "Bearer key-a";
    private static final String B = "Bearer key-b";

    private static String turn1(String first) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":" + Http.quote(first) + "}],\"max_tokens\":12,\"seed\":11}";
    }

    private static String turn2(String first, String reply) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":" + Http.quote(first) + "},"
                + "{\"role\":\"assistant\",\"content\":" + Http.quote(reply) + "},"
                + "{\"role\":\"user\",\"content\":\"What did the bird say?\"}],\"max_tokens\":12,\"seed\":12}";
    }

    private HttpResponse<String> chat(String body, String key, String... session) throws Exception {
        return session.length == 0 ? http.post("/v1/chat/completions", body, "Authorization", key)
                : http.post("/v1/chat/completions", body, "Authorization", key, "X-Session-ID", session[0]);
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return Http.json(r.body());
    }

    private double metric(String series) throws Exception {
        for (String line : http.get("/q/metrics").body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @Test
    void aFollowUpWithoutASessionIdContinuesTheSessionAndMatchesAnExplicitOne() throws Exception {
        String first = "Once upon a time a little bird sat in a tree.";
        String explicit = "explicit-" + System.nanoTime();
        double hits = metric("sinkserve_sessions_implicit_total{result=\"hit\"}");
        double misses = metric("sinkserve_sessions_implicit_total{result=\"miss\"}");

        HttpResponse<String> e1 = chat(turn1(first), A, explicit);
        String reply = ok(e1).at("/choices/0/message/content").asText();
        JsonNode e2 = ok(chat(turn2(first, reply), A, explicit));

        HttpResponse<String> i1 = chat(turn1(first), A);
        JsonNode j1 = ok(i1);
        assertEquals(reply, j1.at("/choices/0/message/content").asText());
        String implicit = i1.headers().firstValue("X-Session-ID").orElseThrow(() -> new AssertionError("no X-Session-ID"));
        assertEquals(0, j1.at("/usage/prompt_tokens_details/cached_tokens").asInt());

        HttpResponse<String> i2 = chat(turn2(first, reply), A);
        JsonNode j2 = ok(i2);
        assertEquals(implicit, i2.headers().firstValue("X-Session-ID").orElseThrow(), "the same session served the follow-up");
        int cached = j2.at("/usage/prompt_tokens_details/cached_tokens").asInt();
        assertTrue(cached > 0, "the follow-up reused the session: " + j2.get("usage"));
        assertEquals(e2.at("/usage/prompt_tokens_details/cached_tokens").asInt(), cached);
        assertEquals(e2.at("/choices/0/message/content").asText(), j2.at("/choices/0/message/content").asText(),
                "the same text as the explicit session gave");
        assertEquals(hits + 1, metric("sinkserve_sessions_implicit_total{result=\"hit\"}"));
        assertEquals(misses + 1, metric("sinkserve_sessions_implicit_total{result=\"miss\"}"));

        JsonNode info = ok(http.get("/v1/sessions/" + implicit, "Authorization", A));
        assertEquals(2, info.get("requests").asInt(), "a client can switch to the named session: " + info);
        assertEquals(0, info.get("rebuilds").asInt());
    }

    @Test
    void anotherKeyNeverContinuesTheSession() throws Exception {
        String first = "Once upon a time there was a red ball in the garden.";
        HttpResponse<String> a1 = chat(turn1(first), A);
        String reply = ok(a1).at("/choices/0/message/content").asText();
        String sessionA = a1.headers().firstValue("X-Session-ID").orElseThrow();

        HttpResponse<String> b2 = chat(turn2(first, reply), B);
        JsonNode jb = ok(b2);
        assertEquals(0, jb.at("/usage/prompt_tokens_details/cached_tokens").asInt(), "key-b reused nothing: " + jb);
        assertNotEquals(sessionA, b2.headers().firstValue("X-Session-ID").orElseThrow());
        assertEquals(404, http.get("/v1/sessions/" + sessionA, "Authorization", B).statusCode());
        assertEquals(1, ok(http.get("/v1/sessions/" + sessionA, "Authorization", A)).get("requests").asInt(),
                "key-a's session was not touched");

        JsonNode a2 = ok(chat(turn2(first, reply), A));
        assertTrue(a2.at("/usage/prompt_tokens_details/cached_tokens").asInt() > 0, "key-a still continues its own: " + a2);
    }

    @Test
    void aPromptThatDoesNotExtendTheConversationStartsANewSession() throws Exception {
        String first = "Once upon a time a fox ran fast.";
        HttpResponse<String> a1 = chat(turn1(first), A);
        String reply = ok(a1).at("/choices/0/message/content").asText();
        HttpResponse<String> edited = chat(turn2(first, reply + " (edited)"), A);
        JsonNode j = ok(edited);
        assertEquals(0, j.at("/usage/prompt_tokens_details/cached_tokens").asInt(), "an edited history is not continued");
        assertNotEquals(a1.headers().firstValue("X-Session-ID").orElseThrow(),
                edited.headers().firstValue("X-Session-ID").orElseThrow());
    }
}
