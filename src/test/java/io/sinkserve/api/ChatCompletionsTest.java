package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class ChatCompletionsTest extends ServiceTestBase {
    @Test
    void modelsListsTheServedModel() throws Exception {
        HttpResponse<String> r = http.get("/v1/models");
        assertEquals(200, r.statusCode());
        JsonNode j = Http.json(r.body());
        assertEquals("list", j.get("object").asText());
        assertEquals("stories260K", j.get("data").get(0).get("id").asText());
        assertEquals("model", j.get("data").get(0).get("object").asText());
    }

    @Test
    void streamIsExactOpenAiSseAndMatchesTheNonStreamedAnswer() throws Exception {
        HttpResponse<String> s = http.post("/v1/chat/completions",
                Http.chat("Tell me a story", 24, 7, true, "\"stream_options\":{\"include_usage\":true}"));
        assertEquals(200, s.statusCode());
        assertEquals("no-cache", s.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("no", s.headers().firstValue("X-Accel-Buffering").orElseThrow());
        assertTrue(s.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
        List<String> frames = Http.frames(s.body());
        assertEquals("data: [DONE]", frames.getLast());
        for (String f : frames) {
            assertTrue(f.startsWith("data: ") && !f.contains("\n"), "frame '" + f + "'");
        }
        List<JsonNode> chunks = Http.dataFrames(s.body());
        JsonNode first = chunks.getFirst();
        assertEquals("chat.completion.chunk", first.get("object").asText());
        assertEquals("assistant", first.at("/choices/0/delta/role").asText());
        String id = first.get("id").asText();
        StringBuilder text = new StringBuilder();
        JsonNode finish = null;
        for (JsonNode c : chunks.subList(1, chunks.size() - 1)) {
            assertEquals(id, c.get("id").asText());
            assertTrue(c.get("usage").isNull(), "usage is null until the last chunk");
            JsonNode choice = c.at("/choices/0");
            if (!choice.get("finish_reason").isNull()) {
                finish = c;
            } else {
                assertFalse(choice.at("/delta").has("role"));
                text.append(choice.at("/delta/content").asText());
            }
        }
        assertTrue(finish != null, "a chunk carries finish_reason");
        assertEquals(chunks.get(chunks.size() - 2), finish, "finish_reason is in the last choice chunk");
        JsonNode usage = chunks.getLast();
        assertEquals(0, usage.get("choices").size());
        int completion = usage.at("/usage/completion_tokens").asInt();
        assertTrue(completion > 0 && completion <= 24);
        assertEquals(usage.at("/usage/prompt_tokens").asInt() + completion, usage.at("/usage/total_tokens").asInt());

        HttpResponse<String> n = http.post("/v1/chat/completions", Http.chat("Tell me a story", 24, 7, false, ""));
        assertEquals(200, n.statusCode());
        JsonNode body = Http.json(n.body());
        assertEquals("chat.completion", body.get("object").asText());
        assertEquals(text.toString(), body.at("/choices/0/message/content").asText());
        assertEquals(finish.at("/choices/0/finish_reason").asText(), body.at("/choices/0/finish_reason").asText());
        assertEquals(completion, body.at("/usage/completion_tokens").asInt());
    }

    @Test
    void unknownFieldsAreIgnoredAndUsageIsOmittedFromChunksByDefault() throws Exception {
        HttpResponse<String> s = http.post("/v1/chat/completions",
                Http.chat("Hi", 5, 1, true, "\"logit_bias\":{},\"user\":\"x\",\"frobnicate\":[1,2]"));
        assertEquals(200, s.statusCode());
        for (JsonNode c : Http.dataFrames(s.body())) {
            assertFalse(c.has("usage"));
        }
    }
}
