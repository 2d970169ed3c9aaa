package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every OpenAI request field the server does not implement gets 400 naming it; harmless values and unknown fields pass. */
@QuarkusTest
class RefusedFieldsTest extends ServiceTestBase {
    private static final String CHAT = "\"model\":\"stories260K\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
    private static final String TEXT = "\"model\":\"stories260K\",\"max_tokens\":2,\"prompt\":\"Once\"";

    private static final Map<String, String> CHAT_REFUSED = Map.ofEntries(
            Map.entry("tools", "[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}]"),
            Map.entry("tool_choice", "\"auto\""),
            Map.entry("parallel_tool_calls", "false"),
            Map.entry("functions", "[{\"name\":\"f\"}]"),
            Map.entry("function_call", "\"auto\""),
            Map.entry("audio", "{\"voice\":\"alloy\",\"format\":\"mp3\"}"),
            Map.entry("modalities", "[\"text\",\"audio\"]"),
            Map.entry("prediction", "{\"type\":\"content\",\"content\":\"x\"}"),
            Map.entry("web_search_options", "{}"),
            Map.entry("reasoning_effort", "\"low\""),
            Map.entry("verbosity", "\"low\""),
            Map.entry("moderation", "{}"),
            Map.entry("store", "true"),
            Map.entry("service_tier", "\"flex\""),
            Map.entry("prompt_cache_retention", "\"24h\""),
            Map.entry("prompt_cache_options", "{}"),
            Map.entry("n", "2"));

    private static final Map<String, String> TEXT_REFUSED = Map.of(
            "echo", "true",
            "suffix", "\"The end.\"",
            "best_of", "2",
            "n", "3");

    private void expectRefused(String path, String body, String param) throws Exception {
        HttpResponse<String> r = http.post(path, body);
        assertEquals(400, r.statusCode(), param + ": " + r.body());
        JsonNode e = Http.json(r.body()).get("error");
        assertEquals(param, e.get("param").asText(), r.body());
        assertEquals("invalid_request_error", e.get("type").asText());
        assertTrue(e.get("message").asText().contains(param), r.body());
    }

    private void expectOk(String path, String body) throws Exception {
        HttpResponse<String> r = http.post(path, body);
        assertEquals(200, r.statusCode(), body + " -> " + r.body());
    }

    @Test
    void chatFieldsWeDoNotImplementAreRefusedByName() throws Exception {
        for (var f : CHAT_REFUSED.entrySet()) {
            expectRefused("/v1/chat/completions", "{" + CHAT + ",\"" + f.getKey() + "\":" + f.getValue() + "}", f.getKey());
        }
        expectRefused("/v1/chat/completions", "{" + CHAT + ",\"stream\":true,\"stream_options\":{\"include_obfuscation\":true}}",
                "stream_options.include_obfuscation");
    }

    @Test
    void completionFieldsWeDoNotImplementAreRefusedByName() throws Exception {
        for (var f : TEXT_REFUSED.entrySet()) {
            expectRefused("/v1/completions", "{" + TEXT + ",\"" + f.getKey() + "\":" + f.getValue() + "}", f.getKey());
        }
    }

    @Test
    void toolCallingInTheHistoryIsRefusedNamingTheMessage() throws Exception {
        String toolCall = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}";
        expectRefused("/v1/chat/completions", "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + toolCall + "]}", "messages[1].tool_calls");
        expectRefused("/v1/chat/completions", "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}]}", "messages[1].role");
        expectRefused("/v1/chat/completions", "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"x\",\"function_call\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}",
                "messages[1].function_call");
        expectRefused("/v1/chat/completions", "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"name\":\"ann\",\"content\":\"Hi\"}]}",
                "messages[0].name");
        expectRefused("/v1/chat/completions", "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://x/y.png\"}}]}]}", "messages[0].content[0]");
    }

    @Test
    void valuesThatAskForNothingMoreAndUnknownFieldsAreAccepted() throws Exception {
        expectOk("/v1/chat/completions", "{" + CHAT + ",\"n\":1,\"store\":false,\"tool_choice\":\"none\",\"modalities\":[\"text\"],"
                + "\"service_tier\":\"auto\",\"tools\":null,\"prompt_cache_retention\":\"in_memory\",\"user\":\"u\","
                + "\"stream_options\":{\"include_obfuscation\":false},\"x_vendor_extension\":{\"a\":1}}");
        expectOk("/v1/chat/completions", "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
                + "{\"role\":\"assistant\",\"content\":\"Hello\",\"tool_calls\":[]},{\"role\":\"user\",\"content\":\"Go on\"}]}");
        expectOk("/v1/completions", "{" + TEXT + ",\"echo\":false,\"best_of\":1,\"n\":1,\"suffix\":null,\"frobnicate\":true}");
    }
}
