package io.sinkserve.generate.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.sinkserve.tokenizer.Tokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The property that matters: whatever a model picks among the allowed tokens of a real vocabulary,
 * the document it ends with parses and validates, and the mask is never empty on the way.
 */
class ConstrainedWalkTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-bpe", "llama-spm"})
    void anyObjectWalksEndInAJsonObject(String vocab) {
        Tokenizer tokenizer = Vocab.tokenizer(vocab);
        TokenBytes tokens = Vocab.bytes(vocab);
        Random random = new Random(42);
        for (int walk = 0; walk < 12; walk++) {
            ConstrainedWalk w = ConstrainedWalk.run(JsonGrammar.anyObject(), tokenizer, tokens, random, 40, 4000);
            JsonNode value = JsonSyntaxTest.strictParse(w.document);
            assertNotNull(value, () -> new String(w.document, StandardCharsets.UTF_8));
            assertTrue(value.isObject(), value::toString);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-bpe", "llama-spm"})
    void schemaWalksEndInValidDocuments(String vocab) {
        Tokenizer tokenizer = Vocab.tokenizer(vocab);
        TokenBytes tokens = Vocab.bytes(vocab);
        Random random = new Random(7);
        for (String schemaText : SchemaCorpus.SCHEMAS) {
            JsonNode schema = SchemaValidator.parse(schemaText);
            JsonGrammar grammar = JsonGrammar.fromSchema(schema);
            for (int walk = 0; walk < 4; walk++) {
                ConstrainedWalk w = ConstrainedWalk.run(grammar, tokenizer, tokens, random, 30, 4000);
                String doc = new String(w.document, StandardCharsets.UTF_8);
                assertNotNull(JsonSyntaxTest.strictParse(w.document), doc);
                assertTrue(SchemaValidator.valid(schema, doc), () -> schemaText + " rejects " + doc);
            }
        }
    }
}
