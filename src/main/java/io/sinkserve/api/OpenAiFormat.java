package io.sinkserve.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sinkserve.generate.FinishReason;
import io.sinkserve.generate.TokenLogprob;

import java.util.List;
import java.util.Locale;

/** The JSON bodies of OpenAI's chat and text completion APIs, streamed and not. */
final class OpenAiFormat {
    private final ObjectMapper json;
    private final String id;
    private final long created;
    private final String model;
    private final boolean chat;
    private final LogprobsFormat logprobs;

    /** @param logprobs how to write the tokens' logprobs; null when the request did not ask for them */
    OpenAiFormat(ObjectMapper json, String id, String model, boolean chat, LogprobsFormat logprobs) {
        this.json = json;
        this.id = id;
        this.created = System.currentTimeMillis() / 1000;
        this.model = model;
        this.chat = chat;
        this.logprobs = logprobs;
    }

    static String finishReason(FinishReason r) {
        return r.name().toLowerCase(Locale.ROOT);
    }

    private ObjectNode envelope(String object) {
        ObjectNode o = json.createObjectNode();
        o.put("id", id).put("object", object).put("created", created).put("model", model);
        o.putNull("system_fingerprint");
        return o;
    }

    /** A streamed chunk with one choice; {@code text} null for the role-only first chat chunk or the final chunk. */
    String chunk(boolean first, String text, String finishReason, boolean includeUsage) {
        return chunk(first, text, finishReason, includeUsage, null, 0);
    }

    /**
     * A streamed chunk of text with the logprobs of the tokens that completed it.
     *
     * @param offset code points of generated text sent before this chunk (completions' text_offset)
     */
    String content(String text, List<TokenLogprob> tokens, int offset, boolean includeUsage) {
        return chunk(false, text, null, includeUsage, tokens, offset);
    }

    private String chunk(boolean first, String text, String finishReason, boolean includeUsage,
                         List<TokenLogprob> tokens, int offset) {
        ObjectNode o = envelope(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            ObjectNode delta = choice.putObject("delta");
            if (first) {
                delta.put("role", "assistant").put("content", "");
            } else if (text != null) {
                delta.put("content", text);
            }
        } else {
            choice.put("text", text == null ? "" : text);
        }
        logprobs(choice, tokens, offset);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        if (includeUsage) {
            o.putNull("usage");
        }
        return write(o);
    }

    /** The last chunk of a stream with stream_options.include_usage: no choices, only usage. */
    String usageChunk(ObjectNode usage) {
        ObjectNode o = envelope(chat ? "chat.completion.chunk" : "text_completion");
        o.putArray("choices");
        o.set("usage", usage);
        return write(o);
    }

    /** The whole non-streamed response; {@code tokens} the logprobs of the emitted tokens. */
    String response(String text, List<TokenLogprob> tokens, String finishReason, ObjectNode usage) {
        ObjectNode o = envelope(chat ? "chat.completion" : "text_completion");
        ObjectNode choice = o.putArray("choices").addObject();
        choice.put("index", 0);
        if (chat) {
            choice.putObject("message").put("role", "assistant").put("content", text);
        } else {
            choice.put("text", text);
        }
        logprobs(choice, tokens, 0);
        choice.put("finish_reason", finishReason);
        o.set("usage", usage);
        return write(o);
    }

    private void logprobs(ObjectNode choice, List<TokenLogprob> tokens, int offset) {
        if (logprobs == null || tokens == null) {
            choice.putNull("logprobs");
        } else {
            choice.set("logprobs", chat ? logprobs.chat(tokens) : logprobs.completion(tokens, offset));
        }
    }

    ObjectNode usage(int promptTokens, int cachedTokens, int completionTokens) {
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
        u.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
        return u;
    }

    static String error(ObjectMapper json, ApiException e) {
        ObjectNode o = json.createObjectNode();
        ObjectNode err = o.putObject("error");
        err.put("message", e.getMessage()).put("type", e.type());
        if (e.param() == null) {
            err.putNull("param");
        } else {
            err.put("param", e.param());
        }
        err.put("code", e.code());
        return write(json, o);
    }

    private String write(JsonNode o) {
        return write(json, o);
    }

    static String write(ObjectMapper json, JsonNode o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
