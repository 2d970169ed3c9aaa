package io.sinkserve.api;

import io.sinkserve.model.ModelEngine;
import io.sinkserve.testing.TestFiles;
import io.sinkserve.tokenizer.ChatMessage;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class SessionReuseTest extends ServiceTestBase {
    @Test
    void secondTurnPrefillsOnlyTheNewTokens() throws Exception {
        String session = "reuse-" + System.nanoTime();
        String turn1 = "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"max_tokens\":20,\"seed\":3}";
        HttpResponse<String> r1 = http.post("/v1/chat/completions", turn1, "X-Session-ID", session);
        assertEquals(200, r1.statusCode(), r1.body());
        assertEquals(session, r1.headers().firstValue("X-Session-ID").orElseThrow());
        JsonNode j1 = Http.json(r1.body());
        int prompt1 = j1.at("/usage/prompt_tokens").asInt();
        assertEquals(0, j1.at("/usage/prompt_tokens_details/cached_tokens").asInt());
        String reply = j1.at("/choices/0/message/content").asText();

        String turn2 = "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"},"
                + "{\"role\":\"assistant\",\"content\":" + Http.quote(reply) + "},"
                + "{\"role\":\"user\",\"content\":\"And then?\"}],\"max_tokens\":20,\"seed\":3}";
        HttpResponse<String> r2 = http.post("/v1/chat/completions", turn2, "X-Session-ID", session);
        assertEquals(200, r2.statusCode(), r2.body());
        JsonNode j2 = Http.json(r2.body());
        try (ModelEngine engine = ModelEngine.load(TestFiles.stories260K(), "check", 1)) {
            List<ChatMessage> first = List.of(new ChatMessage("user", "Once upon a time"));
            assertEquals(engine.renderChat(first, true).length, prompt1);
            List<ChatMessage> firstWithReply = List.of(first.getFirst(), new ChatMessage("assistant", reply));
            List<ChatMessage> second = List.of(first.getFirst(), firstWithReply.get(1), new ChatMessage("user", "And then?"));
            assertEquals(engine.renderChat(second, true).length, j2.at("/usage/prompt_tokens").asInt());
            assertEquals(engine.renderChat(firstWithReply, false).length,
                    j2.at("/usage/prompt_tokens_details/cached_tokens").asInt(),
                    "everything up to the first reply came from the session: " + j2.get("usage"));
        }
        JsonNode info = Http.json(http.get("/v1/sessions/" + session).body());
        assertEquals(0, info.get("rebuilds").asInt());
        assertEquals(2, info.get("requests").asInt());
    }
}
