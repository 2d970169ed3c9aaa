package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /v1/models/{id}, a real created time, text content parts joined with a newline, and CORS off by default. */
@QuarkusTest
class ModelsAndContentTest extends ServiceTestBase {
    @Test
    void retrieveTheServedModelAndA404ForAnother() throws Exception {
        HttpResponse<String> r = http.get("/v1/models/stories260K");
        assertEquals(200, r.statusCode());
        JsonNode m = Http.json(r.body());
        assertEquals("stories260K", m.get("id").asText());
        assertEquals("model", m.get("object").asText());
        assertEquals("sinkserve", m.get("owned_by").asText());
        long modified = Files.getLastModifiedTime(TestFiles.stories260K()).to(TimeUnit.SECONDS);
        assertEquals(modified, m.get("created").asLong(), "created is the model file's modification time");
        assertEquals(m, Http.json(http.get("/v1/models").body()).get("data").get(0));

        HttpResponse<String> missing = http.get("/v1/models/gpt-4o");
        assertEquals(404, missing.statusCode());
        JsonNode e = Http.json(missing.body()).get("error");
        assertEquals("model_not_found", e.get("code").asText());
        assertEquals("model", e.get("param").asText());
        assertTrue(e.get("message").asText().contains("gpt-4o"));
    }

    @Test
    void textPartsAreJoinedWithANewline() throws Exception {
        String parts = "[{\"type\":\"text\",\"text\":\"What is\"},{\"type\":\"text\",\"text\":\"the best book\"}]";
        JsonNode fromParts = answer(parts);
        JsonNode newline = answer(Http.quote("What is\nthe best book"));
        JsonNode glued = answer(Http.quote("What isthe best book"));
        assertEquals(newline.at("/usage/prompt_tokens").asInt(), fromParts.at("/usage/prompt_tokens").asInt());
        assertEquals(newline.at("/choices/0/message/content").asText(), fromParts.at("/choices/0/message/content").asText());
        assertNotEquals(glued.at("/usage/prompt_tokens").asInt(), fromParts.at("/usage/prompt_tokens").asInt(),
                "the test tells the two joins apart");
    }

    private JsonNode answer(String content) throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", "{\"max_tokens\":8,\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":" + content + "}]}");
        assertEquals(200, r.statusCode(), r.body());
        return Http.json(r.body());
    }

    @Test
    void corsIsOffByDefault() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "v1/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example").header("Access-Control-Request-Method", "POST").build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(r.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), r.headers().toString());
        assertEquals(404, r.statusCode());
    }
}
