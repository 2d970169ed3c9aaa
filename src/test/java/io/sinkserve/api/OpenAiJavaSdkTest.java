package io.sinkserve.api;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official OpenAI Java SDK against the running app. Every response and chunk goes through the SDK's strict
 * {@code validate()}, which fails on a missing or mistyped field.
 */
@QuarkusTest
class OpenAiJavaSdkTest extends ServiceTestBase {
    OpenAIClient client;

    @BeforeEach
    void client() {
        client = OpenAIOkHttpClient.builder().baseUrl(base + "v1").apiKey("unused").maxRetries(0).build();
    }

    static ChatCompletionCreateParams.Builder chat(String content, long maxTokens) {
        return ChatCompletionCreateParams.builder().model("stories260K").addUserMessage(content)
                .maxCompletionTokens(maxTokens).temperature(0.0).seed(7L);
    }

    static String streamedText(StreamResponse<ChatCompletionChunk> s, List<ChatCompletionChunk> chunks) {
        StringBuilder text = new StringBuilder();
        s.stream().forEach(c -> {
            c.validate();
            chunks.add(c);
            c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
        });
        return text.toString();
    }

    @Test
    void chatStreamedAndNotGiveTheSameGreedyText() {
        ChatCompletion c = client.chat().completions().create(chat("Once upon a time", 16).build());
        c.validate();
        String text = c.choices().getFirst().message().content().orElseThrow();
        assertFalse(text.isEmpty());
        assertEquals(16, c.usage().orElseThrow().completionTokens());
        assertEquals("stories260K", c.model());

        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(chat("Once upon a time", 16)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            assertEquals(text, streamedText(s, chunks));
        }
        assertEquals(16, chunks.getLast().usage().orElseThrow().completionTokens());
        assertEquals(ChatCompletionChunk.Choice.FinishReason.LENGTH,
                chunks.get(chunks.size() - 2).choices().getFirst().finishReason().orElseThrow());
    }

    @Test
    void completionsStreamedAndNot() {
        CompletionCreateParams p = CompletionCreateParams.builder().model("stories260K").prompt("Once upon a time")
                .maxTokens(24).temperature(0.0).build();
        Completion c = client.completions().create(p);
        c.validate();
        String text = c.choices().getFirst().text();
        assertTrue(text.startsWith(", there was a little girl named Lily."), text);
        StringBuilder streamed = new StringBuilder();
        List<Completion> chunks = new ArrayList<>();
        try (StreamResponse<Completion> s = client.completions().createStreaming(p)) {
            s.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(ch -> streamed.append(ch.text()));
            });
        }
        assertEquals(text, streamed.toString());
        // The SDK types a completion choice's finish_reason as never null, though OpenAI (and this server) send
        // null until the last chunk of a stream: only that chunk passes validate().
        chunks.getLast().validate();
        assertEquals(CompletionChoice.FinishReason.LENGTH, chunks.getLast().choices().getFirst().finishReason());
        chunks.subList(0, chunks.size() - 1).forEach(k -> assertTrue(k.choices().getFirst()._finishReason().isNull()));
    }

    @Test
    void aSessionHeaderReusesTheCacheOnTheNextTurn() {
        String session = "sdk-session-" + System.nanoTime();
        HttpResponseFor<ChatCompletion> first = client.chat().completions().withRawResponse()
                .create(chat("Tell me a story", 8).putAdditionalHeader("X-Session-ID", session).build());
        assertEquals(session, first.headers().values("X-Session-ID").getFirst());
        ChatCompletion one = first.parse();
        one.validate();
        String reply = one.choices().getFirst().message().content().orElseThrow();
        ChatCompletion two = client.chat().completions().create(chat("Tell me a story", 8)
                .addAssistantMessage(reply).addUserMessage("And then?").putAdditionalHeader("X-Session-ID", session).build());
        two.validate();
        long cached = two.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens().orElseThrow();
        assertTrue(cached >= one.usage().orElseThrow().promptTokens(), "cached " + cached);
    }

    @Test
    void modelsListAndRetrieve() {
        Model m = client.models().retrieve("stories260K");
        m.validate();
        assertEquals("stories260K", m.id());
        assertTrue(m.created() > 0);
        assertEquals(List.of(m), client.models().list().data());
        NotFoundException e = assertThrows(NotFoundException.class, () -> client.models().retrieve("gpt-4o"));
        assertEquals("model_not_found", e.code().orElseThrow());
    }

    @Test
    void refusalsAndBadValuesSurfaceAsBadRequestNamingTheField() {
        BadRequestException bad = assertThrows(BadRequestException.class,
                () -> client.chat().completions().create(chat("Hi", 4).temperature(7.0).build()));
        assertEquals("temperature", bad.param().orElseThrow());
        BadRequestException echo = assertThrows(BadRequestException.class, () -> client.completions().create(
                CompletionCreateParams.builder().model("stories260K").prompt("Hi").echo(true).build()));
        assertEquals("echo", echo.param().orElseThrow());
        assertEquals("unsupported_parameter", echo.code().orElseThrow());
        BadRequestException tools = assertThrows(BadRequestException.class, () -> client.chat().completions().create(
                chat("Hi", 4).addTool(com.openai.models.chat.completions.ChatCompletionFunctionTool.builder()
                        .function(com.openai.models.FunctionDefinition.builder().name("weather").build()).build()).build()));
        assertEquals("tools", tools.param().orElseThrow());
    }
}
