package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.StructuredChatCompletion;
import io.quarkus.test.junit.QuarkusTest;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.testing.TestFiles;
import io.sinkserve.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * response_format by constrained decoding, end to end: json_object output parses as an object, json_schema output
 * passes networknt's validator for the schema, streamed and not, on sessions, on the native API and through the
 * OpenAI SDK's structured outputs; bad formats and unsupported schema keywords are 400s.
 */
@QuarkusTest
class StructuredOutputTest extends ServiceTestBase {
    static final String SCHEMA = """
            {"type":"object","properties":{
              "name":{"type":"string","minLength":1,"maxLength":12},
              "age":{"type":"integer","minimum":0,"maximum":120},
              "happy":{"type":"boolean"},
              "color":{"enum":["red","green","blue"]},
              "friends":{"type":"array","items":{"$ref":"#/$defs/friend"},"maxItems":2}},
             "required":["name","age","happy","color"],"additionalProperties":false,
             "$defs":{"friend":{"type":"string","maxLength":8}}}""";
    private static final JsonSchema VALIDATOR = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(Http.json(SCHEMA));
    private static final String JSON_SCHEMA = "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
            + "{\"name\":\"person\",\"strict\":true,\"schema\":" + SCHEMA + "}}";
    private static final String JSON_OBJECT = "\"response_format\":{\"type\":\"json_object\"}";

    private static void assertValid(String text) {
        Set<ValidationMessage> errors = VALIDATOR.validate(Http.json(text));
        assertTrue(errors.isEmpty(), text + " -> " + errors);
    }

    private JsonNode chat(String extra, String... headers) throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", Http.chat("Tell me about a person", 300, 1, false,
                extra), headers);
        assertEquals(200, r.statusCode(), r.body());
        return Http.json(r.body());
    }

    private static String streamed(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        StringBuilder text = new StringBuilder();
        Http.dataFrames(r.body()).forEach(c -> c.path("choices").forEach(ch -> text.append(ch.at("/delta/content").asText(""))));
        return text.toString();
    }

    /**
     * Any object may go on with member after member, and the tiny story model rarely closes one on its own: a
     * logit bias toward the tokens holding '}' lets it finish within the budget (the mask decides where they fit).
     */
    @Test
    void jsonObjectIsAnObject() throws Exception {
        StringBuilder bias = new StringBuilder();
        try (GGUFFile gguf = GGUFFile.open(TestFiles.stories260K())) {
            Tokenizer tokenizer = Tokenizer.fromGGUF(gguf.metadata());
            for (int id = 0; id < tokenizer.vocabSize(); id++) {
                if (new String(tokenizer.piece(id), StandardCharsets.UTF_8).contains("}")) {
                    bias.append(bias.isEmpty() ? "" : ",").append('"').append(id).append("\":10");
                }
            }
        }
        assertTrue(!bias.isEmpty(), "the vocabulary has a '}' token");
        for (String sampling : List.of("\"temperature\":0", "\"temperature\":1")) {
            JsonNode r = chat(JSON_OBJECT + "," + sampling + ",\"logit_bias\":{" + bias + "}");
            String text = r.at("/choices/0/message/content").asText();
            assertEquals("stop", r.at("/choices/0/finish_reason").asText(), text);
            assertTrue(Http.json(text).isObject(), text);
        }
    }

    @Test
    void jsonSchemaOutputIsValidStreamedAndNot() throws Exception {
        for (int seed = 1; seed <= 3; seed++) {
            JsonNode r = chat(JSON_SCHEMA + ",\"temperature\":1,\"seed\":" + seed);
            String text = r.at("/choices/0/message/content").asText();
            assertEquals("stop", r.at("/choices/0/finish_reason").asText(), text);
            assertValid(text);
        }
        String text = streamed(http.post("/v1/chat/completions", Http.chat("Tell me about a person", 160, 5, true,
                JSON_SCHEMA + ",\"temperature\":0")));
        assertValid(text);
        HttpResponse<String> completion = http.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":160,"
                + "\"temperature\":0," + JSON_SCHEMA + "}");
        assertEquals(200, completion.statusCode(), completion.body());
        assertValid(Http.json(completion.body()).at("/choices/0/text").asText());
    }

    @Test
    void withoutAFormatTheOutputIsNotJson() throws Exception {
        String text = chat("\"temperature\":0").at("/choices/0/message/content").asText();
        assertTrue(!text.strip().startsWith("{"), "the constraint is what makes it JSON: " + text);
    }

    @Test
    void structuredTurnsOnASession() throws Exception {
        String session = "structured-" + System.nanoTime();
        JsonNode one = chat(JSON_SCHEMA + ",\"temperature\":0", "X-Session-ID", session);
        String first = one.at("/choices/0/message/content").asText();
        assertValid(first);
        String body = "{\"max_tokens\":160,\"temperature\":0," + JSON_SCHEMA + ",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Tell me about a person\"},"
                + "{\"role\":\"assistant\",\"content\":" + Http.quote(first) + "},"
                + "{\"role\":\"user\",\"content\":\"And another one\"}]}";
        HttpResponse<String> r = http.post("/v1/chat/completions", body, "X-Session-ID", session);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode two = Http.json(r.body());
        assertValid(two.at("/choices/0/message/content").asText());
        assertTrue(two.at("/usage/prompt_tokens_details/cached_tokens").asInt() > 0, r.body());
    }

    @Test
    void theNativeSessionApiTakesAResponseFormat() throws Exception {
        String id = Http.json(http.post("/v1/sessions", "{}").body()).get("id").asText();
        HttpResponse<String> r = http.post("/v1/sessions/" + id + "/messages", "{\"content\":\"Tell me about a person\","
                + "\"max_tokens\":160,\"temperature\":0," + JSON_SCHEMA + "}");
        assertEquals(200, r.statusCode(), r.body());
        List<String> frames = Http.frames(r.body());
        String done = frames.stream().filter(f -> f.startsWith("event: done")).findFirst().orElseThrow();
        JsonNode event = Http.json(done.substring(done.indexOf("data: ") + 6));
        assertEquals("stop", event.get("finish_reason").asText(), done);
        assertValid(event.get("text").asText());
    }

    @Test
    void badFormatsAndUnsupportedKeywordsAre400s() throws Exception {
        expect400("\"response_format\":{\"type\":\"sound\"}", "response_format.type", "response_format type must be one of");
        expect400("\"response_format\":\"json\"", "response_format", "response_format");
        expect400("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}",
                "response_format.json_schema.name", "name");
        expect400("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":"
                + "{\"type\":\"string\",\"pattern\":\"^a+$\"}}}", "response_format.json_schema.schema", "pattern");
        expect400("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":"
                + "{\"type\":\"object\",\"properties\":{\"when\":{\"type\":\"string\",\"format\":\"date-time\"}}}}}",
                "response_format.json_schema.schema", "format");
    }

    private void expect400(String extra, String param, String inMessage) throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", Http.chat("Hi", 4, 1, false, extra));
        assertEquals(400, r.statusCode(), extra + " -> " + r.body());
        JsonNode e = Http.json(r.body()).get("error");
        assertEquals(param, e.get("param").asText(), r.body());
        assertTrue(e.get("message").asText().contains(inMessage), r.body());
    }

    public enum Color { RED, GREEN, BLUE }

    /** A type whose JSON has a finite set of values, so the tiny test model always completes it. */
    public static final class Pet {
        public Color color;
        public boolean friendly;
        public boolean sleepy;
    }

    @Test
    void sdkStructuredOutputsParseIntoAJavaType() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(base + "v1").apiKey("unused").maxRetries(0).build();
        StructuredChatCompletion<Pet> c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories260K").addUserMessage("Describe a pet").maxCompletionTokens(120).temperature(0.0)
                .responseFormat(Pet.class).build());
        Pet pet = c.choices().getFirst().message().content().orElseThrow();
        assertTrue(pet.color != null, "every required field is there");
        assertEquals(com.openai.models.chat.completions.ChatCompletion.Choice.FinishReason.STOP,
                c.choices().getFirst().finishReason());
    }
}
