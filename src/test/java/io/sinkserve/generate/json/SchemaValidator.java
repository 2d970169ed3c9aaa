package io.sinkserve.generate.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The reference: networknt's JSON Schema validator (draft 2020-12) and Jackson's strict parser. */
final class SchemaValidator {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private SchemaValidator() {
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code document} is one JSON value that {@code schema} accepts. */
    static boolean valid(JsonNode schema, String document) {
        JsonSchema compiled = FACTORY.getSchema(schema);
        return compiled.validate(parse(document)).isEmpty();
    }
}
