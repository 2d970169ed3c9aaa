package io.sinkserve.generate.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every supported keyword accepts what it should and refuses what it should, and agrees with a real
 * validator (networknt, draft 2020-12) on each document. The documents are written the way the
 * grammar writes them (schema key order, compact), where its language and the schema's coincide.
 */
class SchemaKeywordTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                // schema, document, valid
                c("{\"type\":\"string\"}", "\"a\"", true),
                c("{\"type\":\"string\"}", "1", false),
                c("{\"type\":[\"string\",\"null\"]}", "null", true),
                c("{\"type\":[\"string\",\"null\"]}", "\"x\"", true),
                c("{\"type\":[\"string\",\"null\"]}", "1", false),
                c("{\"type\":\"integer\"}", "-3", true),
                c("{\"type\":\"integer\"}", "3.5", false),
                c("{\"type\":\"integer\"}", "\"3\"", false),
                c("{\"type\":\"number\"}", "3.5", true),
                c("{\"type\":\"number\"}", "-1.5e3", true),
                c("{\"type\":\"number\"}", "true", false),
                c("{\"type\":\"boolean\"}", "false", true),
                c("{\"type\":\"boolean\"}", "0", false),
                c("{\"type\":\"null\"}", "null", true),
                c("{\"type\":\"null\"}", "{}", false),
                // object: properties, required, additionalProperties
                c(OBJ, "{\"a\":1}", true),
                c(OBJ, "{\"a\":1,\"b\":\"x\"}", true),
                c(OBJ, "{\"b\":\"x\"}", false),
                c(OBJ, "{\"a\":\"x\"}", false),
                c(OBJ, "{\"a\":1,\"c\":2}", false),
                c(OBJ, "{}", false),
                c(OBJ, "[]", false),
                c(EXTRA, "{\"a\":1,\"x\":true}", true),
                c(EXTRA, "{\"x\":true,\"y\":false}", true),
                c(EXTRA, "{\"x\":1}", false),
                c(EXTRA, "{\"a\":1,\"a\":true}", false), // an extra member may not repeat a declared name
                c("{\"type\":\"object\"}", "{\"any\":[1,{\"b\":null}]}", true),
                c("{\"type\":\"object\",\"required\":[\"r\"]}", "{\"r\":[]}", true),
                c("{\"type\":\"object\",\"required\":[\"r\"]}", "{}", false),
                c("{\"type\":\"object\",\"properties\":{\"a\":false}}", "{}", true),
                c("{\"type\":\"object\",\"properties\":{\"a\":false}}", "{\"a\":1}", false),
                // strings: lengths in code points, escapes count once
                c(LEN, "\"ab\"", true),
                c(LEN, "\"abc\"", true),
                c(LEN, "\"a\"", false),
                c(LEN, "\"abcd\"", false),
                c(LEN, "\"😀😀\"", true),
                c(LEN, "\"😀😀😀😀\"", false),
                c(LEN, "\"\\u00e9\\n\"", true),
                c(LEN, "\"\\ud83d\\ude00\"", false),
                // enum and const, at any level, filtered by their schema's other keywords
                c(ENUM, "\"a\"", true),
                c(ENUM, "1", true),
                c(ENUM, "null", true),
                c(ENUM, "{\"k\":[true]}", true),
                c(ENUM, "\"b\"", false),
                c(ENUM, "10", false),
                c(ENUM, "2", false),
                c("{\"type\":\"string\",\"enum\":[\"a\",1]}", "\"a\"", true),
                c("{\"type\":\"string\",\"enum\":[\"a\",1]}", "1", false),
                c("{\"type\":\"string\",\"maxLength\":1,\"enum\":[\"a\",\"bb\"]}", "\"bb\"", false),
                c("{\"const\":\"x\"}", "\"x\"", true),
                c("{\"const\":\"x\"}", "\"y\"", false),
                c("{\"type\":\"object\",\"properties\":{\"v\":{\"const\":3}},\"required\":[\"v\"]}", "{\"v\":3}", true),
                c("{\"type\":\"object\",\"properties\":{\"v\":{\"const\":3}},\"required\":[\"v\"]}", "{\"v\":4}", false),
                // numbers: inclusive and exclusive bounds
                c(INT, "-5", true),
                c(INT, "10", true),
                c(INT, "0", true),
                c(INT, "11", false),
                c(INT, "-6", false),
                c(INT, "100", false),
                c(OPEN, "0.5", true),
                c(OPEN, "0.0001", true),
                c(OPEN, "0", false),
                c(OPEN, "1", false),
                c(OPEN, "1.0", false),
                c(OPEN, "-0.1", false),
                c("{\"type\":\"integer\",\"exclusiveMinimum\":1.5,\"maximum\":3}", "2", true),
                c("{\"type\":\"integer\",\"exclusiveMinimum\":1.5,\"maximum\":3}", "1", false),
                c("{\"type\":\"number\",\"minimum\":100000000000000000000000}", "100000000000000000000000", true),
                c("{\"type\":\"number\",\"minimum\":100000000000000000000000}", "99999999999999999999999", false),
                // arrays
                c(ARR, "[1]", true),
                c(ARR, "[1,2]", true),
                c(ARR, "[]", false),
                c(ARR, "[1,2,3]", false),
                c(ARR, "[\"a\"]", false),
                c("{\"type\":\"array\",\"uniqueItems\":false}", "[1,1]", true),
                // anyOf, also with alternatives that share a first byte
                c(ANY, "\"a\"", true),
                c(ANY, "\"ab\"", false),
                c(ANY, "5", true),
                c(ANY, "4", false),
                c(SPLIT, "\"ab\"", true),
                c(SPLIT, "\"abc\"", false),
                c(SPLIT, "\"abcd\"", true),
                // $ref to $defs, definitions, the root, recursively; allOf with one schema
                c(REF, "{\"x\":1}", true),
                c(REF, "{\"x\":\"1\"}", false),
                c(TREE, "{\"c\":[{\"c\":[]},{}]}", true),
                c(TREE, "{\"c\":[1]}", false),
                c(SELF, "{\"next\":{\"next\":{}}}", true),
                c(SELF, "{\"next\":1}", false),
                c("{\"allOf\":[{\"type\":\"integer\"}],\"description\":\"d\"}", "1", true),
                c("{\"allOf\":[{\"type\":\"integer\"}],\"description\":\"d\"}", "\"1\"", false),
                // annotations change nothing; boolean schemas
                c("{\"title\":\"T\",\"description\":\"D\",\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
                        + "\"$id\":\"urn:x\",\"$comment\":\"c\",\"default\":1,\"examples\":[2],\"deprecated\":true,"
                        + "\"readOnly\":false,\"writeOnly\":false,\"type\":\"integer\"}", "7", true),
                c("true", "[{\"a\":null}]", true),
                c("{\"type\":\"array\",\"items\":false}", "[]", true),
                c("{\"type\":\"array\",\"items\":false}", "[1]", false));
    }

    private static final String OBJ = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"string\"}},"
            + "\"required\":[\"a\"],\"additionalProperties\":false}";
    private static final String EXTRA = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},"
            + "\"additionalProperties\":{\"type\":\"boolean\"}}";
    private static final String LEN = "{\"type\":\"string\",\"minLength\":2,\"maxLength\":3}";
    private static final String ENUM = "{\"enum\":[\"a\",1,null,{\"k\":[true]}]}";
    private static final String INT = "{\"type\":\"integer\",\"minimum\":-5,\"maximum\":10}";
    private static final String OPEN = "{\"type\":\"number\",\"exclusiveMinimum\":0,\"exclusiveMaximum\":1}";
    private static final String ARR = "{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":1,\"maxItems\":2}";
    private static final String ANY = "{\"anyOf\":[{\"type\":\"string\",\"maxLength\":1},{\"type\":\"integer\",\"minimum\":5}]}";
    private static final String SPLIT = "{\"anyOf\":[{\"type\":\"string\",\"maxLength\":2},{\"type\":\"string\",\"minLength\":4}]}";
    private static final String REF = "{\"$defs\":{\"p\":{\"type\":\"integer\"}},\"type\":\"object\","
            + "\"properties\":{\"x\":{\"$ref\":\"#/$defs/p\"}},\"required\":[\"x\"]}";
    private static final String TREE = "{\"definitions\":{\"t\":{\"type\":\"object\",\"properties\":{\"c\":{\"type\":\"array\","
            + "\"items\":{\"$ref\":\"#/definitions/t\"}}},\"additionalProperties\":false}},\"$ref\":\"#/definitions/t\"}";
    private static final String SELF = "{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#\"}},\"additionalProperties\":false}";

    private static Arguments c(String schema, String document, boolean valid) {
        return Arguments.of(schema, document, valid);
    }

    @ParameterizedTest(name = "{0} on {1}: {2}")
    @MethodSource("cases")
    void agreesWithTheValidator(String schemaText, String document, boolean valid) {
        JsonNode schema = SchemaValidator.parse(schemaText);
        assertEquals(valid, SchemaValidator.valid(schema, document), "the validator's verdict");
        assertEquals(valid, JsonGrammar.fromSchema(schema).accepts(document.getBytes(StandardCharsets.UTF_8)), "the grammar's verdict");
    }

    /** The documented subset: declared properties come in schema order, though JSON Schema allows any order. */
    @Test
    void declaredPropertiesComeInSchemaOrder() {
        JsonNode schema = SchemaValidator.parse(OBJ);
        String reordered = "{\"b\":\"x\",\"a\":1}";
        assertTrue(SchemaValidator.valid(schema, reordered));
        assertFalse(JsonGrammar.fromSchema(schema).accepts(reordered.getBytes(StandardCharsets.UTF_8)));
    }

    /** Without additionalProperties, an object that declares properties gets only those (a valid subset). */
    @Test
    void undeclaredPropertiesNeedAdditionalProperties() {
        JsonNode schema = SchemaValidator.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}");
        assertTrue(JsonGrammar.fromSchema(schema).accepts("{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
        assertFalse(JsonGrammar.fromSchema(schema).accepts("{\"a\":1,\"z\":0}".getBytes(StandardCharsets.UTF_8)));
    }
}
