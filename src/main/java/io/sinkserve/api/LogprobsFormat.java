package io.sinkserve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sinkserve.generate.TokenLogprob;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntFunction;

/**
 * OpenAI's two logprobs shapes. Chat: {@code {"content":[{token, logprob, bytes, top_logprobs}], "refusal":null}}.
 * Completions: parallel arrays {@code tokens, token_logprobs, top_logprobs (token → logprob), text_offset}.
 * A token's text is its bytes decoded as UTF-8, so a byte token holding part of a character shows U+FFFD;
 * {@code bytes} carries the exact bytes.
 */
final class LogprobsFormat {
    private final ObjectMapper json;
    private final IntFunction<byte[]> tokenBytes;

    LogprobsFormat(ObjectMapper json, IntFunction<byte[]> tokenBytes) {
        this.json = json;
        this.tokenBytes = tokenBytes;
    }

    ObjectNode chat(List<TokenLogprob> logprobs) {
        ObjectNode o = json.createObjectNode();
        ArrayNode content = o.putArray("content");
        for (TokenLogprob lp : logprobs) {
            ObjectNode entry = entry(lp.token(), lp.logprob());
            ArrayNode top = entry.putArray("top_logprobs");
            lp.top().forEach(a -> top.add(entry(a.token(), a.logprob())));
            content.add(entry);
        }
        o.putNull("refusal");
        return o;
    }

    private ObjectNode entry(int token, float logprob) {
        byte[] bytes = tokenBytes.apply(token);
        ObjectNode e = json.createObjectNode().put("token", text(bytes)).put("logprob", logprob);
        ArrayNode b = e.putArray("bytes");
        for (byte x : bytes) {
            b.add(x & 0xFF);
        }
        return e;
    }

    /**
     * @param offset where the first token's text starts in the generated text, in code points (a stream passes
     *               what it has sent so far)
     */
    ObjectNode completion(List<TokenLogprob> logprobs, int offset) {
        ObjectNode o = json.createObjectNode();
        ArrayNode tokens = o.putArray("tokens");
        ArrayNode values = o.putArray("token_logprobs");
        ArrayNode top = o.putArray("top_logprobs");
        ArrayNode offsets = o.putArray("text_offset");
        int at = offset;
        for (TokenLogprob lp : logprobs) {
            String t = text(tokenBytes.apply(lp.token()));
            tokens.add(t);
            values.add(lp.logprob());
            ObjectNode alternatives = top.addObject();
            lp.top().forEach(a -> alternatives.put(text(tokenBytes.apply(a.token())), a.logprob()));
            offsets.add(at);
            at += t.codePointCount(0, t.length());
        }
        return o;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
