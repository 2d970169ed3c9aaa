package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * logprobs (chat and completions, streamed and not) parsed by the OpenAI Java SDK and checked for consistency, and
 * logit_bias applied before sampling. Token 261 of stories260K is " a".
 */
@QuarkusTest
class LogprobsAndBiasTest extends ServiceTestBase {
    private static final int A = 261;
    OpenAIClient client;

    @BeforeEach
    void client() {
        client = OpenAIOkHttpClient.builder().baseUrl(base + "v1").apiKey("unused").maxRetries(0).build();
    }

    private static ChatCompletionCreateParams.Builder greedy(long max) {
        return OpenAiJavaSdkTest.chat("Once upon a time", max).logprobs(true).topLogprobs(5L);
    }

    /** The chosen token is the most likely (temperature 0, no penalties), alternatives are sorted and sum to at most 1. */
    private static void assertConsistent(ChatCompletionTokenLogprob lp, int top) {
        assertEquals(top, lp.topLogprobs().size());
        assertTrue(lp.logprob() <= 0);
        double total = 0;
        for (int i = 0; i < top; i++) {
            var alt = lp.topLogprobs().get(i);
            total += Math.exp(alt.logprob());
            if (i > 0) {
                assertTrue(alt.logprob() <= lp.topLogprobs().get(i - 1).logprob(), "sorted, most likely first");
            }
            assertEquals(alt.token(), new String(bytes(alt.bytes().orElseThrow()), StandardCharsets.UTF_8));
        }
        assertTrue(total <= 1 + 1e-5, "probabilities sum to at most 1: " + total);
        assertEquals(lp.topLogprobs().getFirst().token(), lp.token(), "greedy picks the most likely token");
        assertEquals(lp.topLogprobs().getFirst().logprob(), lp.logprob(), 1e-6);
        assertEquals(lp.token(), new String(bytes(lp.bytes().orElseThrow()), StandardCharsets.UTF_8));
    }

    private static byte[] bytes(List<Long> values) {
        byte[] b = new byte[values.size()];
        for (int i = 0; i < b.length; i++) {
            assertTrue(values.get(i) >= 0 && values.get(i) < 256);
            b[i] = (byte) (long) values.get(i);
        }
        return b;
    }

    @Test
    void chatLogprobsStreamedAndNot() {
        ChatCompletion c = client.chat().completions().create(greedy(12).build());
        c.validate();
        var choice = c.choices().getFirst();
        List<ChatCompletionTokenLogprob> content = choice.logprobs().orElseThrow().content().orElseThrow();
        assertEquals(12, content.size(), "one entry per generated token");
        StringBuilder joined = new StringBuilder();
        content.forEach(lp -> {
            assertConsistent(lp, 5);
            joined.append(lp.token());
        });
        assertEquals(choice.message().content().orElseThrow(), joined.toString());

        List<ChatCompletionTokenLogprob> streamed = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(greedy(12).build())) {
            s.stream().forEach(chunk -> {
                chunk.validate();
                chunk.choices().forEach(ch -> ch.logprobs().flatMap(l -> l.content()).ifPresent(streamed::addAll));
            });
        }
        assertEquals(content.size(), streamed.size());
        for (int i = 0; i < content.size(); i++) {
            // the same tokens; values to float rounding (another request runs other batch shapes through the kernels)
            assertEquals(content.get(i).token(), streamed.get(i).token());
            assertEquals(content.get(i).logprob(), streamed.get(i).logprob(), 1e-4);
            assertEquals(content.get(i).topLogprobs().stream().map(t -> t.token()).toList(),
                    streamed.get(i).topLogprobs().stream().map(t -> t.token()).toList());
        }
    }

    @Test
    void noLogprobsUnlessAskedAndZeroAlternatives() {
        ChatCompletion plain = client.chat().completions().create(OpenAiJavaSdkTest.chat("Once upon a time", 4).build());
        assertTrue(plain.choices().getFirst().logprobs().isEmpty());
        ChatCompletion none = client.chat().completions().create(OpenAiJavaSdkTest.chat("Once upon a time", 4)
                .logprobs(true).build());
        none.validate();
        none.choices().getFirst().logprobs().orElseThrow().content().orElseThrow()
                .forEach(lp -> assertTrue(lp.topLogprobs().isEmpty()));
    }

    @Test
    void completionLogprobsStreamedAndNot() {
        CompletionCreateParams p = CompletionCreateParams.builder().model("stories260K").prompt("Once upon a time")
                .maxTokens(10).temperature(0.0).logprobs(3L).build();
        Completion c = client.completions().create(p);
        c.validate();
        CompletionChoice choice = c.choices().getFirst();
        CompletionChoice.Logprobs lp = choice.logprobs().orElseThrow();
        List<String> tokens = lp.tokens().orElseThrow();
        List<Double> values = lp.tokenLogprobs().orElseThrow();
        List<Long> offsets = lp.textOffset().orElseThrow();
        var tops = lp.topLogprobs().orElseThrow();
        assertEquals(10, tokens.size());
        assertEquals(choice.text(), String.join("", tokens));
        long at = 0;
        for (int i = 0; i < tokens.size(); i++) {
            assertEquals(at, offsets.get(i), "text_offset is where the token starts in the text");
            at += tokens.get(i).codePointCount(0, tokens.get(i).length());
            Map<String, JsonValue> alternatives = tops.get(i)._additionalProperties();
            assertTrue(alternatives.size() <= 3 && !alternatives.isEmpty());
            double best = alternatives.values().stream().mapToDouble(v -> v.convert(Double.class))
                    .max().orElseThrow();
            assertEquals(best, values.get(i), 1e-6, "greedy: the chosen token is the most likely");
            assertEquals(values.get(i), alternatives.get(tokens.get(i)).convert(Double.class), 1e-6);
        }

        List<String> streamedTokens = new ArrayList<>();
        List<Long> streamedOffsets = new ArrayList<>();
        try (StreamResponse<Completion> s = client.completions().createStreaming(p)) {
            s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.logprobs().ifPresent(l -> {
                streamedTokens.addAll(l.tokens().orElseThrow());
                streamedOffsets.addAll(l.textOffset().orElseThrow());
            })));
        }
        assertEquals(tokens, streamedTokens);
        assertEquals(offsets, streamedOffsets, "offsets go on across chunks");
    }

    @Test
    void logitBiasIsAppliedBeforeSamplingWhileLogprobsStayTheModels() {
        ChatCompletion forced = client.chat().completions().create(greedy(6)
                .logitBias(ChatCompletionCreateParams.LogitBias.builder().putAdditionalProperty(String.valueOf(A),
                        JsonValue.from(100)).build()).build());
        forced.validate();
        var content = forced.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertEquals(" a a a a a a", forced.choices().getFirst().message().content().orElseThrow());
        boolean belowTheModelsFavourite = false;
        for (ChatCompletionTokenLogprob lp : content) {
            assertEquals(" a", lp.token());
            assertTrue(lp.logprob() <= lp.topLogprobs().getFirst().logprob() + 1e-6);
            belowTheModelsFavourite |= lp.logprob() < lp.topLogprobs().getFirst().logprob();
        }
        assertTrue(belowTheModelsFavourite, "reported logprobs are the model's, not the biased ones");
    }

    @Test
    void aBannedTokenNeverComes() throws Exception {
        List<String> free = completionTokens("");
        assertEquals(" a", free.getFirst(), "precondition: 'Once upon' goes on with ' a'");
        List<String> banned = completionTokens(",\"logit_bias\":{\"" + A + "\":-100}");
        assertFalse(banned.contains(" a"), banned.toString());
        assertNotEquals(free, banned);
    }

    private List<String> completionTokens(String extra) throws Exception {
        HttpResponse<String> r = http.post("/v1/completions", "{\"prompt\":\"Once upon\",\"max_tokens\":16,"
                + "\"temperature\":0,\"logprobs\":0" + extra + "}");
        assertEquals(200, r.statusCode(), r.body());
        List<String> out = new ArrayList<>();
        Http.json(r.body()).at("/choices/0/logprobs/tokens").forEach(t -> out.add(t.asText()));
        return out;
    }

    @Test
    void badLogprobAndBiasValuesAre400s() throws Exception {
        Map<String, String> cases = Map.of(
                "\"logit_bias\":{\"512\":1}", "logit_bias",
                "\"logit_bias\":{\"7\":101}", "logit_bias",
                "\"logit_bias\":{\"seven\":1}", "logit_bias",
                "\"logit_bias\":[1]", "logit_bias",
                "\"logprobs\":true,\"top_logprobs\":21", "top_logprobs",
                "\"top_logprobs\":2", "top_logprobs",
                "\"logprobs\":\"yes\"", "logprobs");
        for (var e : cases.entrySet()) {
            HttpResponse<String> r = http.post("/v1/chat/completions", Http.chat("Hi", 2, 1, false, e.getKey()));
            assertEquals(400, r.statusCode(), e.getKey() + " -> " + r.body());
            JsonNode err = Http.json(r.body()).get("error");
            assertEquals(e.getValue(), err.get("param").asText(), r.body());
        }
        HttpResponse<String> r = http.post("/v1/completions", "{\"prompt\":\"Hi\",\"logprobs\":-1}");
        assertEquals(400, r.statusCode());
        assertEquals("logprobs", Http.json(r.body()).at("/error/param").asText());
    }
}
