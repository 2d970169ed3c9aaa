package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.function.Predicate;

/**
 * The OpenAI request fields this server does not implement. Each is refused with 400 naming it, unless its
 * value asks for nothing beyond what the server does anyway (e.g. {@code "echo": false}, {@code "n": 1}); a
 * null value counts as absent, as in the OpenAI API. Fields the OpenAI API does not define are ignored
 * elsewhere, so a client with extensions keeps working. README.md (OpenAI request fields) lists the table.
 */
final class RefusedFields {
    private record Refusal(String field, Predicate<JsonNode> harmless, String why) {
    }

    private static final List<Refusal> CHAT = List.of(
            new Refusal("tools", v -> false, "tool calling is not supported"),
            new Refusal("tool_choice", v -> v.isTextual() && v.asText().equals("none"),
                    "tool calling is not supported (only \"none\")"),
            new Refusal("parallel_tool_calls", v -> false, "tool calling is not supported"),
            new Refusal("functions", v -> false, "function calling is not supported"),
            new Refusal("function_call", v -> v.isTextual() && v.asText().equals("none"),
                    "function calling is not supported (only \"none\")"),
            new Refusal("audio", v -> false, "audio output is not supported"),
            new Refusal("modalities", v -> v.isArray() && v.size() == 1 && v.get(0).asText().equals("text"),
                    "only [\"text\"] output is supported"),
            new Refusal("prediction", v -> false, "predicted outputs are not supported"),
            new Refusal("web_search_options", v -> false, "web search is not supported"),
            new Refusal("reasoning_effort", v -> false, "the model does not reason; reasoning_effort is not supported"),
            new Refusal("verbosity", v -> false, "verbosity is not supported"),
            new Refusal("moderation", v -> false, "moderation is not supported"),
            new Refusal("store", v -> v.isBoolean() && !v.asBoolean(), "completions are never stored (only false)"),
            new Refusal("service_tier", RefusedFields::defaultTier, "only the \"auto\" and \"default\" tiers exist"),
            new Refusal("prompt_cache_retention", v -> v.isTextual() && v.asText().equals("in_memory"),
                    "sessions keep their cache in memory only (\"in_memory\")"),
            new Refusal("prompt_cache_options", v -> false, "prompt cache options are not supported"));

    private static final List<Refusal> COMPLETIONS = List.of(
            new Refusal("echo", v -> v.isBoolean() && !v.asBoolean(), "echoing the prompt is not supported"),
            new Refusal("suffix", v -> false, "insertion (suffix) is not supported"),
            new Refusal("best_of", v -> v.isIntegralNumber() && v.asLong() == 1, "only best_of=1 is supported"));

    /** Refusals shared by both endpoints. */
    private static final List<Refusal> COMMON = List.of(
            new Refusal("n", v -> v.isIntegralNumber() && v.asLong() == 1, "only n=1 is supported"));

    private RefusedFields() {
    }

    static void checkChat(JsonNode body) {
        check(body, CHAT);
        check(body, COMMON);
        checkStreamOptions(body);
    }

    static void checkCompletions(JsonNode body) {
        check(body, COMPLETIONS);
        check(body, COMMON);
        checkStreamOptions(body);
    }

    /** Sampling fields in a native session's defaults or message: only the common refusals apply. */
    static void checkSampling(JsonNode body) {
        check(body, COMMON);
    }

    private static void checkStreamOptions(JsonNode body) {
        JsonNode obfuscation = body.path("stream_options").get("include_obfuscation");
        if (obfuscation != null && !obfuscation.isNull() && !(obfuscation.isBoolean() && !obfuscation.asBoolean())) {
            throw refused("stream_options.include_obfuscation", "stream obfuscation is not supported (only false)");
        }
    }

    private static void check(JsonNode body, List<Refusal> refusals) {
        for (Refusal r : refusals) {
            JsonNode v = body.get(r.field());
            if (v != null && !v.isNull() && !r.harmless().test(v)) {
                throw refused(r.field(), r.why());
            }
        }
    }

    static ApiException refused(String param, String why) {
        return new ApiException(400, "invalid_request_error", "unsupported_parameter", param,
                "'" + param + "' is not supported by this server: " + why, 0);
    }

    private static boolean defaultTier(JsonNode v) {
        return v.isTextual() && (v.asText().equals("auto") || v.asText().equals("default"));
    }
}
