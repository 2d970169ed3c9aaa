package io.sinkserve.api;

import io.sinkserve.generate.LogitBias;
import io.sinkserve.generate.Logprobs;
import io.sinkserve.generate.TokenControls;
import io.sinkserve.generate.json.JsonGrammar;
import io.sinkserve.model.Engine;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request fields that act on each generated token: {@code logit_bias}, {@code response_format} (on
 * completions too, as llama.cpp's server takes it) and the logprobs report (chat: {@code logprobs} + {@code top_logprobs}; completions: {@code logprobs} as the number
 * of alternatives).
 *
 * @param grammar     what the output must be (response_format json_object / json_schema); null for free text
 * @param topLogprobs -1 when no logprobs are asked for
 */
record TokenOptions(LogitBias bias, JsonGrammar grammar, int topLogprobs) {
    boolean logprobs() {
        return topLogprobs >= 0;
    }

    /** The controls of one generation: a structured-output mask is stateful, so each call makes a new one. */
    TokenControls controls(Engine engine) {
        return new TokenControls(bias, grammar == null ? null : engine.jsonMask(grammar), topLogprobs);
    }

    static TokenOptions chat(JsonNode body, int vocab) {
        boolean logprobs = RequestParser.optBool(body, "logprobs", false);
        JsonNode top = body.get("top_logprobs");
        if (top != null && !top.isNull() && !logprobs) {
            throw ApiException.invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        int n = logprobs ? topCount(body, "top_logprobs") : -1;
        return new TokenOptions(logitBias(body, vocab), ResponseFormat.grammar(body), n);
    }

    static TokenOptions completion(JsonNode body, int vocab) {
        JsonNode lp = body.get("logprobs");
        return new TokenOptions(logitBias(body, vocab), ResponseFormat.grammar(body), lp == null || lp.isNull() ? -1 : topCount(body, "logprobs"));
    }

    /** The native API: a logit bias and a response format; its SSE events carry no logprobs. */
    static TokenOptions message(JsonNode body, int vocab) {
        if (body.hasNonNull("logprobs") || body.hasNonNull("top_logprobs")) {
            String field = body.hasNonNull("logprobs") ? "logprobs" : "top_logprobs";
            throw RefusedFields.refused(field, "the native session API does not report logprobs; use /v1/chat/completions");
        }
        return new TokenOptions(logitBias(body, vocab), ResponseFormat.grammar(body), -1);
    }

    private static int topCount(JsonNode body, String field) {
        int n = RequestParser.optInt(body, field, 0);
        if (n < 0 || n > Logprobs.MAX_TOP) {
            throw ApiException.invalid(field, "'" + field + "' must be between 0 and " + Logprobs.MAX_TOP + ", got " + n);
        }
        return n;
    }

    /** {"token id": bias}: ids as decimal strings, as OpenAI sends them; every id must be in the vocabulary. */
    static LogitBias logitBias(JsonNode body, int vocab) {
        JsonNode b = body.get("logit_bias");
        if (b == null || b.isNull()) {
            return LogitBias.NONE;
        }
        if (!b.isObject()) {
            throw ApiException.invalidType("logit_bias", "an object mapping token ids to numbers between -100 and 100");
        }
        Map<Integer, Float> bias = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int token;
            try {
                token = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw ApiException.invalid("logit_bias", "logit_bias keys must be token ids, got '" + e.getKey() + "'");
            }
            if (token < 0 || token >= vocab) {
                throw ApiException.invalid("logit_bias", "logit_bias: token " + token + " is not in the vocabulary (0.."
                        + (vocab - 1) + ")");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !(v.asDouble() >= -LogitBias.LIMIT && v.asDouble() <= LogitBias.LIMIT)) {
                throw ApiException.invalid("logit_bias", "logit_bias: the bias of token " + token
                        + " must be a number between -100 and 100, got " + v);
            }
            bias.put(token, (float) v.asDouble());
        }
        return LogitBias.of(bias, vocab);
    }
}
