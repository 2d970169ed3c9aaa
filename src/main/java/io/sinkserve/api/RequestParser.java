package io.sinkserve.api;

import io.sinkserve.generate.SamplingParams;
import io.sinkserve.session.SessionSettings;
import io.sinkserve.tokenizer.ChatMessage;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads OpenAI-style request bodies field by field, so every error names the field at fault. Unknown fields
 * are ignored. Ranges follow OpenAI where it has one (temperature 0..2, top_p 0..1, penalties -2..2).
 */
final class RequestParser {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant");
    /** Roles of tool and function calling, which this server does not implement. */
    private static final Set<String> CALL_ROLES = Set.of("tool", "function");
    /** Message fields of tool/function calling and audio; refused when present (an empty tool_calls list is none). */
    private static final List<String> CALL_FIELDS = List.of("tool_calls", "tool_call_id", "function_call", "audio");

    private final String modelName;
    private final int maxTokensLimit;
    private final int maxRepeatLastN;

    RequestParser(String modelName, int maxTokensLimit, int maxRepeatLastN) {
        this.modelName = modelName;
        this.maxTokensLimit = maxTokensLimit;
        this.maxRepeatLastN = maxRepeatLastN;
    }

    CompletionRequest chat(JsonNode body, SessionSettings defaults) {
        requireObject(body);
        checkModel(body);
        RefusedFields.checkChat(body);
        return new CompletionRequest(messages(body, "messages"), null, stream(body), includeUsage(body),
                sampling(body, defaults.sampling(), defaults.seed()));
    }

    CompletionRequest text(JsonNode body, SessionSettings defaults) {
        requireObject(body);
        checkModel(body);
        RefusedFields.checkCompletions(body);
        JsonNode p = body.get("prompt");
        String prompt;
        if (p == null || p.isNull()) {
            throw ApiException.missing("prompt");
        } else if (p.isTextual()) {
            prompt = p.asText();
        } else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            prompt = p.get(0).asText();
        } else {
            throw ApiException.invalidType("prompt", "a string (or an array of exactly one string)");
        }
        if (prompt.isEmpty()) {
            throw ApiException.invalid("prompt", "'prompt' must not be empty");
        }
        return new CompletionRequest(null, prompt, stream(body), includeUsage(body),
                sampling(body, defaults.sampling(), defaults.seed()));
    }

    /** The native API's new message: {"content": "...", "role": "user"} plus optional sampling fields. */
    ChatMessage message(JsonNode body) {
        requireObject(body);
        String role = optString(body, "role", "user");
        checkRole(role, "role");
        if (!ROLES.contains(role)) {
            throw ApiException.invalid("role", "unknown role '" + role + "'; expected one of " + ROLES);
        }
        JsonNode c = body.get("content");
        if (c == null || c.isNull()) {
            throw ApiException.missing("content");
        }
        return new ChatMessage(role, content(c, "content"));
    }

    static void requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
    }

    private void checkModel(JsonNode body) {
        JsonNode m = body.get("model");
        if (m == null || m.isNull()) {
            return;
        }
        if (!m.isTextual()) {
            throw ApiException.invalidType("model", "a string");
        }
        if (!m.asText().equals(modelName)) {
            throw ApiException.notFound("model_not_found", "model",
                    "the model '" + m.asText() + "' does not exist; this server serves '" + modelName + "'");
        }
    }

    static List<ChatMessage> messages(JsonNode body, String field) {
        JsonNode ms = body.get(field);
        if (ms == null || ms.isNull()) {
            throw ApiException.missing(field);
        }
        if (!ms.isArray()) {
            throw ApiException.invalidType(field, "an array of messages");
        }
        if (ms.isEmpty()) {
            throw ApiException.invalid(field, "'" + field + "' must contain at least one message");
        }
        List<ChatMessage> out = new ArrayList<>(ms.size());
        for (int i = 0; i < ms.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode m = ms.get(i);
            if (!m.isObject()) {
                throw ApiException.invalidType(at, "an object with 'role' and 'content'");
            }
            JsonNode role = m.get("role");
            if (role == null || role.isNull()) {
                throw ApiException.missing(at + ".role");
            }
            if (!role.isTextual()) {
                throw ApiException.invalidType(at + ".role", "a string");
            }
            checkRole(role.asText(), at + ".role");
            for (String f : CALL_FIELDS) {
                JsonNode v = m.get(f);
                if (v != null && !v.isNull() && !(v.isArray() && v.isEmpty())) {
                    throw RefusedFields.refused(at + "." + f, "tool and function calling (and audio) are not supported");
                }
            }
            if (m.hasNonNull("name")) {
                throw RefusedFields.refused(at + ".name", "participant names are not passed to the chat template");
            }
            if (!ROLES.contains(role.asText())) {
                throw ApiException.invalid(at + ".role", "unknown role '" + role.asText() + "'; expected one of " + ROLES);
            }
            JsonNode c = m.get("content");
            String content = c == null || c.isNull() ? "" : content(c, at + ".content");
            out.add(new ChatMessage(role.asText(), content));
        }
        return out;
    }

    private static void checkRole(String role, String at) {
        if (CALL_ROLES.contains(role)) {
            throw RefusedFields.refused(at, "the '" + role + "' role belongs to tool and function calling, which is not supported");
        }
    }

    /**
     * A string, or OpenAI's array of content parts of which only text parts are supported; the parts are joined
     * with a newline, as llama.cpp's server joins them.
     */
    private static String content(JsonNode c, String at) {
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringJoiner joined = new StringJoiner("\n");
            for (int i = 0; i < c.size(); i++) {
                JsonNode part = c.get(i);
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw RefusedFields.refused(at + "[" + i + "]", "only text content parts are supported, got type '"
                            + part.path("type").asText() + "'");
                }
                joined.add(part.get("text").asText());
            }
            return joined.toString();
        }
        throw ApiException.invalidType(at, "a string or an array of text parts");
    }

    private static boolean stream(JsonNode body) {
        return optBool(body, "stream", false);
    }

    private static boolean includeUsage(JsonNode body) {
        JsonNode so = body.get("stream_options");
        if (so == null || so.isNull()) {
            return false;
        }
        if (!so.isObject()) {
            throw ApiException.invalidType("stream_options", "an object");
        }
        return optBool(so, "include_usage", false, "stream_options.include_usage");
    }

    /** Sampling fields of a request over the given defaults; without a seed of its own it takes {@code seed} or a random one. */
    SamplingParams sampling(JsonNode body, SamplingParams d, OptionalLong seed) {
        RefusedFields.checkSampling(body);
        int maxTokens = d.maxTokens();
        String maxField = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        if (body.hasNonNull(maxField)) {
            maxTokens = optInt(body, maxField, 0);
            if (maxTokens < 1 || maxTokens > maxTokensLimit) {
                throw ApiException.invalid(maxField, "'" + maxField + "' must be between 1 and " + maxTokensLimit
                        + ", got " + maxTokens);
            }
        }
        float temperature = optFloat(body, "temperature", d.temperature(), 0, 2);
        float topP = optFloat(body, "top_p", d.topP(), 0, 1);
        if (topP == 0) {
            throw ApiException.invalid("top_p", "'top_p' must be greater than 0");
        }
        int topK = optInt(body, "top_k", d.topK());
        if (topK < 0) {
            throw ApiException.invalid("top_k", "'top_k' must be >= 0, got " + topK);
        }
        float minP = optFloat(body, "min_p", d.minP(), 0, 1);
        String repField = body.hasNonNull("repeat_penalty") ? "repeat_penalty" : "repetition_penalty";
        float repetition = optFloat(body, repField, d.repetitionPenalty(), 0, 10);
        if (repetition == 0) {
            throw ApiException.invalid(repField, "'" + repField + "' must be greater than 0");
        }
        int repeatLastN = optInt(body, "repeat_last_n", d.repeatLastN());
        if (repeatLastN < 0 || repeatLastN > maxRepeatLastN) {
            throw ApiException.invalid("repeat_last_n", "'repeat_last_n' must be between 0 and " + maxRepeatLastN
                    + " (sinkserve.limits.max-repeat-last-n), got " + repeatLastN);
        }
        float presence = optFloat(body, "presence_penalty", d.presencePenalty(), -2, 2);
        float frequency = optFloat(body, "frequency_penalty", d.frequencyPenalty(), -2, 2);
        long drawn = body.hasNonNull("seed") ? optLong(body, "seed")
                : seed.orElseGet(() -> ThreadLocalRandom.current().nextLong());
        return d.withTemperature(temperature).withTopK(topK).withTopP(topP).withMinP(minP)
                .withRepetitionPenalty(repetition).withRepeatLastN(repeatLastN).withPresencePenalty(presence)
                .withFrequencyPenalty(frequency).withSeed(drawn).withMaxTokens(maxTokens).withStop(stops(body, d.stop()));
    }

    private static List<String> stops(JsonNode body, List<String> d) {
        JsonNode s = body.get("stop");
        if (s == null || s.isNull()) {
            return d;
        }
        List<String> out = new ArrayList<>();
        if (s.isTextual()) {
            out.add(s.asText());
        } else if (s.isArray() && s.size() <= 16) {
            for (JsonNode e : s) {
                if (!e.isTextual()) {
                    throw ApiException.invalidType("stop", "a string or an array of at most 16 strings");
                }
                out.add(e.asText());
            }
        } else {
            throw ApiException.invalidType("stop", "a string or an array of at most 16 strings");
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiException.invalid("stop", "stop strings must not be empty");
        }
        return out;
    }

    static String optString(JsonNode body, String field, String d) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return d;
        }
        if (!v.isTextual()) {
            throw ApiException.invalidType(field, "a string");
        }
        return v.asText();
    }

    static boolean optBool(JsonNode body, String field, boolean d) {
        return optBool(body, field, d, field);
    }

    private static boolean optBool(JsonNode body, String field, boolean d, String name) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return d;
        }
        if (!v.isBoolean()) {
            throw ApiException.invalidType(name, "a boolean");
        }
        return v.asBoolean();
    }

    static int optInt(JsonNode body, String field, int d) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return d;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw ApiException.invalidType(field, "an integer");
        }
        return v.asInt();
    }

    private static long optLong(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiException.invalidType(field, "an integer");
        }
        return v.asLong();
    }

    static float optFloat(JsonNode body, String field, float d, float min, float max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return d;
        }
        if (!v.isNumber()) {
            throw ApiException.invalidType(field, "a number");
        }
        double x = v.asDouble();
        if (!(x >= min && x <= max)) {
            throw ApiException.invalid(field, "'" + field + "' must be between " + fmt(min) + " and " + fmt(max)
                    + ", got " + v.asText());
        }
        return (float) x;
    }

    private static String fmt(float f) {
        return f == (int) f ? String.valueOf((int) f) : String.valueOf(f);
    }
}
