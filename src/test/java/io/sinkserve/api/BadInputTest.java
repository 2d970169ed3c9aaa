package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad request gets the right status and an OpenAI error body naming the field; the service carries on. */
@QuarkusTest
class BadInputTest extends ServiceTestBase {
    private JsonNode expectError(HttpResponse<String> r, int status, String param) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode e = Http.json(r.body()).get("error");
        assertTrue(e != null && e.get("message").isTextual() && !e.get("message").asText().isBlank(), r.body());
        assertTrue(e.get("type").isTextual() && e.has("code"), r.body());
        assertFalse(r.body().contains("\tat "), "no stack trace");
        if (param == null) {
            assertTrue(e.get("param").isNull(), r.body());
        } else {
            assertEquals(param, e.get("param").asText(), r.body());
        }
        return e;
    }

    private HttpResponse<String> chat(String body) throws Exception {
        return http.post("/v1/chat/completions", body);
    }

    @Test
    void malformedJson() throws Exception {
        JsonNode e = expectError(chat("{\"messages\": [}"), 400, null);
        assertEquals("invalid_json", e.get("code").asText());
        expectError(chat(""), 400, null);
        expectError(chat("[1,2]"), 400, null);
    }

    @Test
    void onlyUtf8JsonBodiesAreRead() throws Exception {
        byte[] body = Http.chat("Hello", 4, 1, false, "").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (String type : new String[] {"text/plain", null, "application/json; charset=utf-16", "application/x-www-form-urlencoded"}) {
            JsonNode e = expectError(http.postBytes("/v1/chat/completions", body, type), 415, null);
            assertEquals("unsupported_media_type", e.get("code").asText(), "Content-Type " + type);
        }
        byte[] utf16 = Http.chat("Hello", 4, 1, false, "").getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        assertEquals("unsupported_media_type",
                expectError(http.postBytes("/v1/chat/completions", utf16, "application/json"), 415, null).get("code").asText());
        byte[] withBom = Http.chat("Hello", 4, 1, false, "").getBytes(java.nio.charset.StandardCharsets.UTF_16);
        expectError(http.postBytes("/v1/chat/completions", withBom, "application/json"), 415, null);
        byte[] overlong = {'{', '"', 'p', 'r', 'o', 'm', 'p', 't', '"', ':', '"', 'a', (byte) 0xC0, (byte) 0x80, '"', '}'};
        assertEquals("invalid_json",
                expectError(http.postBytes("/v1/completions", overlong, "application/json"), 400, null).get("code").asText());
        HttpResponse<String> ok = http.postBytes("/v1/chat/completions", body, "application/json; charset=UTF-8");
        assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void numericFieldsOutsideTheirRangeAreRefusedNotAllocated() throws Exception {
        String m = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        for (String n : new String[] {"2147483647", "1000000000", "4097", "-1"}) {
            JsonNode e = expectError(chat("{" + m + ",\"repeat_last_n\":" + n + "}"), 400, "repeat_last_n");
            assertTrue(e.get("message").asText().contains("4096"), e.toString());
        }
        expectError(chat("{" + m + ",\"repeat_last_n\":2147483648}"), 400, "repeat_last_n");
        expectError(chat("{" + m + ",\"top_k\":-1}"), 400, "top_k");
        expectError(chat("{" + m + ",\"min_p\":2}"), 400, "min_p");
        expectError(chat("{" + m + ",\"seed\":1.5}"), 400, "seed");
        HttpResponse<String> ok = chat("{" + m + ",\"repeat_last_n\":4096,\"repeat_penalty\":1.1,\"max_tokens\":4}");
        assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void wrongTypes() throws Exception {
        expectError(chat("{\"messages\":\"hi\"}"), 400, "messages");
        expectError(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":\"ten\"}"), 400, "max_tokens");
        expectError(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":\"hot\"}"), 400, "temperature");
        expectError(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":\"yes\"}"), 400, "stream");
        expectError(chat("{\"messages\":[{\"role\":\"user\",\"content\":42}]}"), 400, "messages[0].content");
        expectError(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":7}"), 400, "stop");
        expectError(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream_options\":{\"include_usage\":1}}"),
                400, "stream_options.include_usage");
        expectError(http.post("/v1/completions", "{\"prompt\":{\"text\":\"hi\"}}"), 400, "prompt");
    }

    @Test
    void missingOrEmptyMessages() throws Exception {
        assertEquals("missing_required_parameter", expectError(chat("{\"model\":\"stories260K\"}"), 400, "messages")
                .get("code").asText());
        expectError(chat("{\"messages\":[]}"), 400, "messages");
        expectError(chat("{\"messages\":[{\"content\":\"hi\"}]}"), 400, "messages[0].role");
        expectError(http.post("/v1/completions", "{\"prompt\":\"\"}"), 400, "prompt");
    }

    @Test
    void unknownRole() throws Exception {
        JsonNode e = expectError(chat("{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}"), 400, "messages[0].role");
        assertTrue(e.get("message").asText().contains("wizard"));
    }

    @Test
    void unknownModel() throws Exception {
        JsonNode e = expectError(chat("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 404, "model");
        assertEquals("model_not_found", e.get("code").asText());
    }

    @Test
    void samplingParametersOutOfRange() throws Exception {
        String m = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        expectError(chat("{" + m + ",\"temperature\":2.5}"), 400, "temperature");
        expectError(chat("{" + m + ",\"temperature\":-1}"), 400, "temperature");
        expectError(chat("{" + m + ",\"top_p\":0}"), 400, "top_p");
        expectError(chat("{" + m + ",\"top_p\":1.5}"), 400, "top_p");
        expectError(chat("{" + m + ",\"max_tokens\":0}"), 400, "max_tokens");
        expectError(chat("{" + m + ",\"max_tokens\":100000}"), 400, "max_tokens");
        expectError(chat("{" + m + ",\"presence_penalty\":3}"), 400, "presence_penalty");
        expectError(chat("{" + m + ",\"n\":2}"), 400, "n");
    }

    @Test
    void promptOverTheLimit() throws Exception {
        String longText = "Once upon a time there was a cat. ".repeat(1200);
        JsonNode e = expectError(http.post("/v1/completions", "{\"prompt\":" + Http.quote(longText) + "}"), 400, "prompt");
        assertEquals("context_length_exceeded", e.get("code").asText());
    }

    @Test
    void bodyOverTheSizeLimit() throws Exception {
        String huge = "x".repeat(1_100_000);
        expectError(http.post("/v1/completions", "{\"prompt\":\"" + huge + "\"}"), 413, null);
    }

    @Test
    void unknownSessionAndEndpoint() throws Exception {
        JsonNode e = expectError(http.get("/v1/sessions/no-such-session"), 404, "id");
        assertEquals("session_not_found", e.get("code").asText());
        expectError(http.delete("/v1/sessions/no-such-session"), 404, "id");
        expectError(http.post("/v1/sessions/no-such-session/messages", "{\"content\":\"hi\"}"), 404, "id");
        expectError(http.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "X-Session-ID", "bad id with spaces"), 400, "X-Session-ID");
        expectError(http.get("/v1/nothing-here"), 404, null);
    }

    @Test
    void badSessionSettings() throws Exception {
        expectError(http.post("/v1/sessions", "{\"policy\":\"none\"}"), 400, "policy");
        expectError(http.post("/v1/sessions", "{\"kv_storage\":\"q4\"}"), 400, "kv_storage");
        expectError(http.post("/v1/sessions", "{\"window\":0}"), 400, "window");
        expectError(http.post("/v1/sessions", "{\"window\":100000}"), 400, "window");
        expectError(http.post("/v1/sessions", "{\"window\":64,\"batch_size\":65}"), 400, "batch_size");
        expectError(http.post("/v1/sessions", "{\"sampling\":{\"temperature\":9}}"), 400, "temperature");
    }

    @Test
    void theServiceCarriesOnAfterBadRequests() throws Exception {
        chat("{\"messages\": [}");
        chat("{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}");
        HttpResponse<String> ok = chat(Http.chat("Hello", 4, 1, false, ""));
        assertEquals(200, ok.statusCode(), ok.body());
    }
}
