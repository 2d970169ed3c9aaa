package io.sinkserve.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Request bodies as JSON trees, strictly: {@code Content-Type: application/json} (UTF-8, the only charset JSON
 * allows on the wire, RFC 8259 §8.1) or 415, and well-formed UTF-8 (no overlong forms, no lone surrogates) or a
 * 400 {@code invalid_json} that says where, as malformed JSON does.
 */
final class Bodies {
    private Bodies() {
    }

    static JsonNode parse(ObjectMapper json, RoutingContext ctx) {
        requireJsonType(ctx.request().getHeader("Content-Type"));
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        byte[] bytes = body.getBytes();
        requireUtf8Start(bytes);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw invalidJson("the body is not well-formed UTF-8 (" + e.getMessage() + ")");
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw invalidJson("malformed JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalid(null, "unreadable request body: " + e.getMessage());
        }
    }

    /** application/json, with no charset or charset=utf-8; anything else (text/plain, none, UTF-16) is a 415. */
    static void requireJsonType(String contentType) {
        if (contentType == null) {
            throw unsupported("missing Content-Type; send 'Content-Type: application/json'");
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase("application/json")) {
            throw unsupported("unsupported Content-Type '" + contentType + "'; send 'Content-Type: application/json'");
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().toLowerCase(Locale.ROOT);
            if (p.startsWith("charset=") && !p.substring(8).replace("\"", "").equals("utf-8")) {
                throw unsupported("unsupported charset in '" + contentType + "'; JSON bodies must be UTF-8");
            }
        }
    }

    /** A UTF-16 or UTF-32 body (a byte-order mark, or a NUL among the first bytes, RFC 4627 §3) is a 415. */
    private static void requireUtf8Start(byte[] b) {
        boolean bom16 = b.length >= 2 && ((b[0] == (byte) 0xFE && b[1] == (byte) 0xFF) || (b[0] == (byte) 0xFF && b[1] == (byte) 0xFE));
        boolean nul = false;
        for (int i = 0; i < Math.min(4, b.length); i++) {
            nul |= b[i] == 0;
        }
        if (bom16 || nul) {
            throw unsupported("the body looks like UTF-16 or UTF-32; JSON bodies must be UTF-8");
        }
    }

    private static ApiException unsupported(String message) {
        return new ApiException(415, "invalid_request_error", "unsupported_media_type", null, message, 0);
    }

    private static ApiException invalidJson(String message) {
        return new ApiException(400, "invalid_request_error", "invalid_json", null, message, 0);
    }
}
