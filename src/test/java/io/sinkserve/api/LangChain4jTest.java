package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiLanguageModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** LangChain4j's OpenAI module (chat, streaming chat, completions, sessions, errors) against the running app. */
@QuarkusTest
class LangChain4jTest extends ServiceTestBase {
    private OpenAiChatModel.OpenAiChatModelBuilder chat() {
        return OpenAiChatModel.builder().baseUrl(base + "v1").apiKey("unused").modelName("stories260K")
                .temperature(0.0).maxTokens(12).maxRetries(0);
    }

    @Test
    void chatStreamedAndNotAgree() throws Exception {
        ChatResponse r = chat().build().chat(UserMessage.from("Once upon a time"));
        String text = r.aiMessage().text();
        assertFalse(text.isEmpty());
        assertEquals(12, r.tokenUsage().outputTokenCount());

        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        StringBuilder partial = new StringBuilder();
        OpenAiStreamingChatModel.builder().baseUrl(base + "v1").apiKey("unused").modelName("stories260K")
                .temperature(0.0).maxTokens(12).build()
                .chat("Once upon a time", new StreamingChatResponseHandler() {
                    @Override
                    public void onPartialResponse(String s) {
                        partial.append(s);
                    }

                    @Override
                    public void onCompleteResponse(ChatResponse response) {
                        done.complete(response);
                    }

                    @Override
                    public void onError(Throwable error) {
                        done.completeExceptionally(error);
                    }
                });
        ChatResponse streamed = done.get(60, TimeUnit.SECONDS);
        assertEquals(text, partial.toString());
        assertEquals(text, streamed.aiMessage().text());
        assertEquals(12, streamed.tokenUsage().outputTokenCount());
    }

    @Test
    void completions() {
        Response<String> r = OpenAiLanguageModel.builder().baseUrl(base + "v1").apiKey("unused").modelName("stories260K")
                .temperature(0.0).maxRetries(0).build().generate("Once upon a time");
        assertTrue(r.content().startsWith(", there was a little girl named Lily."), r.content());
        TokenUsage u = r.tokenUsage();
        assertEquals(5, u.inputTokenCount());
    }

    @Test
    void sessionsThroughACustomHeader() throws Exception {
        String session = "lc4j-" + System.nanoTime();
        OpenAiChatModel model = chat().customHeaders(Map.of("X-Session-ID", session)).build();
        UserMessage first = UserMessage.from("Tell me a story");
        ChatResponse one = model.chat(first);
        ChatResponse two = model.chat(List.of(first, one.aiMessage(), UserMessage.from("And then?")));
        assertFalse(two.aiMessage().text().isEmpty());
        assertTrue(two.tokenUsage().inputTokenCount() > one.tokenUsage().inputTokenCount());
        JsonNode info = Http.json(http.get("/v1/sessions/" + session).body());
        assertEquals(2, info.get("requests").asInt(), info.toString());
        assertEquals(0, info.get("rebuilds").asInt(), "the second turn continued the first: " + info);
    }

    @Test
    void aBadRequestIsAnError() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> chat().temperature(9.0).build().chat("Hi"));
        assertTrue(String.valueOf(e.getMessage()).contains("temperature"), e.toString());
    }
}
