package io.sinkserve.generate.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The byte automaton against RFC 8259: valid documents are read whole, invalid ones are refused. */
class JsonSyntaxTest {
    private static final JsonGrammar ANY_VALUE = JsonGrammar.fromSchema(BooleanNode.TRUE);

    private static final List<String> VALID = List.of(
            "{}", "[]", "0", "-0", "1", "-1", "12.5", "-0.25", "1e5", "1E+5", "1.5e-7", "2E00",
            "true", "false", "null", "\"\"", "\"a\"", " \t\n\r{ } \n",
            "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
            "[1, 2 , [3,[4,[]]], {\"x\" : -5.0e+3}]",
            "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
            "\"\\u0041\\u00e9\\uFFFF\\u0000\"",
            "\"\\ud83d\\ude00\"",                           // escaped surrogate pair
            "\"é ü 中文 😀 \u007f\"",                       // raw UTF-8, 2-4 bytes, DEL
            "{\"\":\"\"}", "[[[[[[]]]]]]", "{\"a\":{\"a\":{\"a\":{}}}}",
            "{\"a\":1,\"a\":2}");                          // duplicate names are legal JSON

    private static final List<String> INVALID = List.of(
            "", " ", "{", "}", "[", "]", "{]", "[}", "{,}", "[,]", "[1,]", "{\"a\":1,}", "{\"a\"}", "{\"a\":}",
            "{a:1}", "{'a':1}", "['a']", "01", "-", "1.", ".5", "1e", "1e+", "+1", "--1", "0x10", "NaN",
            "Infinity", "tru", "nul", "True", "\"abc", "\"a\nb\"", "\"\t\"", "\"\\x\"", "\"\\u12\"",
            "\"\\uZZZZ\"", "\"\\ude00\"",                  // a lone low surrogate
            "\"\\ud83d\"", "\"\\ud83dx\"", "\"\\ud83d\\u0041\"", // a high surrogate without its low half
            "1 2", "{}{}", "[] x", "{\"a\":1 \"b\":2}", "[1 2]", "/* c */ {}", "{} // c");

    private static final List<byte[]> INVALID_UTF8 = List.of(
            new byte[] {'"', (byte) 0xC0, (byte) 0x80, '"'},                        // overlong NUL
            new byte[] {'"', (byte) 0xE0, (byte) 0x80, (byte) 0x80, '"'},           // overlong 3-byte
            new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'},           // encoded surrogate
            new byte[] {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // above U+10FFFF
            new byte[] {'"', (byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80, '"'},
            new byte[] {'"', (byte) 0x80, '"'},                                     // stray continuation
            new byte[] {'"', (byte) 0xC3, '"'},                                     // truncated sequence
            new byte[] {'"', (byte) 0xFF, '"'});

    @Test
    void readsEveryValidDocument() {
        for (String doc : VALID) {
            assertTrue(ANY_VALUE.accepts(utf8(doc)), doc);
        }
    }

    @Test
    void refusesEveryInvalidDocument() {
        for (String doc : INVALID) {
            assertFalse(ANY_VALUE.accepts(utf8(doc)), doc);
        }
        for (byte[] doc : INVALID_UTF8) {
            assertFalse(ANY_VALUE.accepts(doc), java.util.Arrays.toString(doc));
        }
    }

    @Test
    void anyObjectTakesOnlyAnObject() {
        JsonGrammar object = JsonGrammar.anyObject();
        assertTrue(object.accepts(utf8("{\"a\":[1,{\"b\":null}]}")));
        assertTrue(object.accepts(utf8(" {} ")));
        for (String doc : List.of("[]", "1", "\"{}\"", "null", "true")) {
            assertFalse(object.accepts(utf8(doc)), doc);
        }
    }

    @Test
    void whitespaceRunsAreBounded() {
        String run = " ".repeat(ParseState.MAX_WHITESPACE);
        assertTrue(ANY_VALUE.accepts(utf8("[" + run + "1" + run + "]" + run)));
        assertFalse(ANY_VALUE.accepts(utf8("[" + run + " 1]")));
        assertFalse(ANY_VALUE.accepts(utf8("{}" + run + " ")));
    }

    @Test
    void nestingIsBounded() {
        int levels = ParseState.MAX_FRAMES - 1;
        assertTrue(ANY_VALUE.accepts(utf8("[".repeat(levels) + "]".repeat(levels))));
        assertFalse(ANY_VALUE.accepts(utf8("[".repeat(levels + 1) + "]".repeat(levels + 1))));
    }

    /** Whatever the automaton reads whole, a strict UTF-8 decoder and Jackson's strict parser read too. */
    @Test
    void mutatedDocumentsItAcceptsAreJson() throws Exception {
        Random random = new Random(15);
        byte[] alphabet = utf8("{}[]\":,.-+eE0123456789 \n\\u/abtrfnlsxé");
        int accepted = 0;
        for (int round = 0; round < 20000; round++) {
            byte[] doc = utf8(VALID.get(random.nextInt(VALID.size())));
            byte[] mutated = mutate(doc, random, alphabet);
            boolean ours = ANY_VALUE.accepts(mutated);
            JsonNode theirs = strictParse(mutated);
            if (ours) {
                accepted++;
                assertTrue(theirs != null, () -> new String(mutated, StandardCharsets.UTF_8));
            }
        }
        assertTrue(accepted > 1000, "too few mutants were valid to test anything: " + accepted);
    }

    /** Documents Jackson writes from random values, compact and pretty, are all read whole. */
    @Test
    void readsRandomDocuments() throws Exception {
        Random random = new Random(8259);
        for (int i = 0; i < 2000; i++) {
            JsonNode value = RandomJson.value(random, 4);
            String compact = SchemaValidator.JSON.writeValueAsString(value);
            String pretty = SchemaValidator.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
            assertTrue(ANY_VALUE.accepts(utf8(compact)), compact);
            assertTrue(ANY_VALUE.accepts(utf8(pretty)), pretty);
        }
    }

    private static byte[] mutate(byte[] doc, Random random, byte[] alphabet) {
        byte[] out = doc.clone();
        int edits = 1 + random.nextInt(2);
        for (int e = 0; e < edits && out.length > 0; e++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(3)) {
                case 0 -> out[at] = alphabet[random.nextInt(alphabet.length)];
                case 1 -> {
                    byte[] shorter = new byte[out.length - 1];
                    System.arraycopy(out, 0, shorter, 0, at);
                    System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
                    out = shorter;
                }
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = alphabet[random.nextInt(alphabet.length)];
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
            }
        }
        return out;
    }

    /** The value, or null when the bytes are not strict UTF-8 holding exactly one JSON value. */
    static JsonNode strictParse(byte[] doc) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(doc)).toString();
            try (var parser = SchemaValidator.JSON.createParser(text)) {
                JsonNode value = SchemaValidator.JSON.readTree(parser);
                if (value == null || value.isMissingNode() || parser.nextToken() != null) {
                    return null;
                }
                return value;
            }
        } catch (CharacterCodingException e) {
            return null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
