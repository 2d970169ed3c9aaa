package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A turn that is refused (every kind of 4xx) or abandoned (the client hangs up mid-stream) leaves its session
 * exactly as it was: same tokens, same cache, and the next valid turn reuses it as if nothing had happened,
 * giving the same text as a session that never saw the failed attempts.
 */
@QuarkusTest
class TurnReliabilityTest extends ServiceTestBase {
    private static final String FIRST = "Once upon a time";

    private static String turn1() {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"" + FIRST + "\"}],\"max_tokens\":16,\"seed\":5}";
    }

    private static String turn2(String reply, int maxTokens, String extra) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"" + FIRST + "\"},"
                + "{\"role\":\"assistant\",\"content\":" + Http.quote(reply) + "},"
                + "{\"role\":\"user\",\"content\":\"What happened next?\"}],\"max_tokens\":" + maxTokens + ",\"seed\":5"
                + extra + "}";
    }

    private HttpResponse<String> chat(String body, String session) throws Exception {
        return http.post("/v1/chat/completions", body, "X-Session-ID", session);
    }

    private JsonNode ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return Http.json(r.body());
    }

    private void refused(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, Http.json(r.body()).at("/error/code").asText(), r.body());
    }

    private JsonNode info(String session) throws Exception {
        return ok(http.get("/v1/sessions/" + session));
    }

    private JsonNode idle(String session) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode i = info(session);
            if (!i.get("busy").asBoolean()) {
                return i;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("session " + session + " stayed busy");
    }

    @Test
    void refusedAndAbandonedTurnsLeaveTheSessionAsItWas() throws Exception {
        String control = "control-" + System.nanoTime();
        String tried = "tried-" + System.nanoTime();
        String reply = ok(chat(turn1(), control)).at("/choices/0/message/content").asText();
        assertEquals(reply, ok(chat(turn1(), tried)).at("/choices/0/message/content").asText());
        JsonNode before = info(tried);

        refused(chat(turn2(reply, 16, ",\"temperature\":9"), tried), 400, "invalid_value");
        refused(chat(turn2(reply, 16, ",\"repeat_last_n\":2147483647"), tried), 400, "invalid_value");
        refused(chat(turn2(reply, 16, ",\"repeat_last_n\":1000000000"), tried), 400, "invalid_value");
        refused(chat(turn2(reply, 16, ",\"max_tokens\":\"many\""), tried), 400, "invalid_type");
        String tooLong = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + FIRST + "\"},"
                + "{\"role\":\"assistant\",\"content\":" + Http.quote(reply) + "},"
                + "{\"role\":\"user\",\"content\":" + Http.quote("Once upon a time there was a cat. ".repeat(1200)) + "}]}";
        refused(chat(tooLong, tried), 400, "context_length_exceeded");
        refused(chat(turn2(reply, 16, ",\"pad\":\"" + "x".repeat(1_100_000) + "\""), tried), 413, "request_too_large");
        byte[] overlong = turn2(reply, 16, ",\"user\":\"a#b\"").getBytes(StandardCharsets.UTF_8);
        int hash = new String(overlong, StandardCharsets.ISO_8859_1).indexOf("a#b") + 1;
        overlong[hash] = (byte) 0xC0;
        byte[] withOverlong = new byte[overlong.length + 1];
        System.arraycopy(overlong, 0, withOverlong, 0, hash + 1);
        withOverlong[hash + 1] = (byte) 0x80;
        System.arraycopy(overlong, hash + 1, withOverlong, hash + 2, overlong.length - hash - 1);
        refused(http.postBytes("/v1/chat/completions", withOverlong, "application/json"), 400, "invalid_json");
        refused(http.postBytes("/v1/chat/completions", turn2(reply, 16, "").getBytes(StandardCharsets.UTF_8), "text/plain"),
                415, "unsupported_media_type");

        // A long stream on the session, a second request while it runs (409), then the client hangs up mid-stream.
        try (RawStream stream = RawStream.post(base, "/v1/chat/completions", turn2(reply, 4000, ",\"stream\":true,\"temperature\":1.5"),
                0, "X-Session-ID", tried)) {
            stream.readUntil("\"delta\":{\"content\"");
            refused(chat(turn2(reply, 16, ""), tried), 409, "session_busy");
        }
        JsonNode after = idle(tried);
        for (String field : new String[] {"tokens_seen", "requests", "prefilled_tokens", "generated_tokens", "rebuilds"}) {
            assertEquals(before.get(field), after.get(field), field + " after the refused and abandoned turns");
        }
        assertEquals(before.get("cache"), after.get("cache"), "the cache is as the first turn left it");

        JsonNode expected = ok(chat(turn2(reply, 16, ""), control));
        JsonNode got = ok(chat(turn2(reply, 16, ""), tried));
        assertEquals(expected.at("/choices/0/message/content").asText(), got.at("/choices/0/message/content").asText());
        int cached = got.at("/usage/prompt_tokens_details/cached_tokens").asInt();
        assertTrue(cached > 0, got.toString());
        assertEquals(expected.at("/usage/prompt_tokens_details/cached_tokens").asInt(), cached);
        JsonNode end = info(tried);
        assertEquals(0, end.get("rebuilds").asInt());
        assertEquals(2, end.get("requests").asInt());
        assertFalse(end.get("busy").asBoolean());
    }
}
