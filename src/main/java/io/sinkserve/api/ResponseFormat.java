package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.sinkserve.generate.json.JsonGrammar;
import io.sinkserve.generate.json.UnsupportedSchemaException;

import java.util.regex.Pattern;

/**
 * OpenAI's {@code response_format}: {@code text} (no constraint), {@code json_object} (any JSON object) or
 * {@code json_schema} (a document valid against the schema), the last two by constrained decoding. A schema is
 * always enforced, whatever {@code strict} says.
 */
final class ResponseFormat {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String TYPES = "\"text\", \"json_object\" or \"json_schema\"";

    private ResponseFormat() {
    }

    /** The grammar the output must follow; null for plain text. */
    static JsonGrammar grammar(JsonNode body) {
        JsonNode rf = body.get("response_format");
        if (rf == null || rf.isNull()) {
            return null;
        }
        if (!rf.isObject()) {
            throw ApiException.invalidType("response_format", "an object with a 'type'");
        }
        JsonNode type = rf.get("type");
        if (type == null || type.isNull()) {
            throw ApiException.missing("response_format.type");
        }
        return switch (type.isTextual() ? type.asText() : "") {
            case "text" -> null;
            case "json_object" -> JsonGrammar.anyObject();
            case "json_schema" -> schema(rf.get("json_schema"));
            default -> throw ApiException.invalid("response_format.type",
                    "response_format type must be one of " + TYPES + ", got " + type);
        };
    }

    private static JsonGrammar schema(JsonNode js) {
        String at = "response_format.json_schema";
        if (js == null || js.isNull()) {
            throw ApiException.missing(at);
        }
        if (!js.isObject()) {
            throw ApiException.invalidType(at, "an object with 'name' and 'schema'");
        }
        String name = RequestParser.optString(js, "name", null);
        if (name == null) {
            throw ApiException.missing(at + ".name");
        }
        if (!NAME.matcher(name).matches()) {
            throw ApiException.invalid(at + ".name", "'" + at + ".name' must be 1-64 characters of a-z A-Z 0-9 _ -");
        }
        JsonNode strict = js.get("strict");
        if (strict != null && !strict.isNull() && !strict.isBoolean()) {
            throw ApiException.invalidType(at + ".strict", "a boolean");
        }
        JsonNode schema = js.get("schema");
        if (schema == null || schema.isNull()) {
            schema = JsonNodeFactory.instance.objectNode();
        } else if (!schema.isObject()) {
            throw ApiException.invalidType(at + ".schema", "a JSON Schema object");
        }
        try {
            return JsonGrammar.fromSchema(schema);
        } catch (UnsupportedSchemaException e) {
            throw new ApiException(400, "invalid_request_error", "unsupported_schema", at + ".schema",
                    "structured output cannot follow this schema: " + e.getMessage(), 0);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "invalid_request_error", "invalid_schema", at + ".schema",
                    "invalid JSON Schema: " + e.getMessage(), 0);
        }
    }
}
