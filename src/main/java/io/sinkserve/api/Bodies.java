package io.sinkserve.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;

/** Request bodies as JSON trees; malformed JSON becomes a 400 that says where. */
final class Bodies {
    private Bodies() {
    }

    static JsonNode parse(ObjectMapper json, RoutingContext ctx) {
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        try {
            return json.readTree(body.getBytes());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ApiException(400, "invalid_request_error", "invalid_json", null,
                    "malformed JSON" + where + ": " + e.getOriginalMessage(), 0);
        } catch (IOException e) {
            throw ApiException.invalid(null, "unreadable request body: " + e.getMessage());
        }
    }
}
