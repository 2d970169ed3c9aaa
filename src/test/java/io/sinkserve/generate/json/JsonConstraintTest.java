package io.sinkserve.generate.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.sinkserve.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mask against the definition: token t is allowed iff its bytes continue the document. */
class JsonConstraintTest {

    /**
     * Along tokenized documents, every mask equals the brute-force one (each token's bytes stepped
     * through the parser on their own), covering the trie walk and the string-content shortcut.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama-bpe", "llama-spm"})
    void maskEqualsBruteForce(String vocab) {
        Tokenizer tokenizer = Vocab.tokenizer(vocab);
        TokenBytes tokens = Vocab.bytes(vocab);
        JsonNode schema = SchemaValidator.parse(SchemaCorpus.PERSON);
        String document = """
                {"name": "Zoë \\"Z\\" 中文😀", "age": 7, "height_m": 0.5, "email": null, "role": "guest",
                 "tags": ["a\\u00e9", "abcdefghijkl"], "address": {"city": "Köln", "zip": "50667"}, "active": true}""";
        assertTrue(SchemaValidator.valid(schema, document));
        checkAlong(JsonGrammar.fromSchema(schema), tokenizer, tokens, document);
        checkAlong(JsonGrammar.anyObject(), tokenizer, tokens, document);
    }

    private static void checkAlong(JsonGrammar grammar, Tokenizer tokenizer, TokenBytes tokens, String document) {
        JsonConstraint constraint = new JsonConstraint(grammar, tokens, tokenizer::isEndOfGeneration);
        ParseState state = grammar.initialState();
        int checked = 0;
        for (int token : tokenizer.encode(document, false, false)) {
            assertArrayEquals(bruteForce(state, tokens, tokenizer), constraint.allowed(), "after " + checked + " tokens");
            constraint.accept(token);
            for (byte b : tokens.bytes(token)) {
                state = state.next(b & 0xFF);
            }
            checked++;
        }
        assertTrue(constraint.isComplete());
        assertArrayEquals(bruteForce(state, tokens, tokenizer), constraint.allowed());
    }

    private static long[] bruteForce(ParseState state, TokenBytes tokens, Tokenizer tokenizer) {
        long[] allowed = new long[(tokens.vocabSize() + 63) >>> 6];
        boolean complete = state.isComplete();
        for (int id = 0; id < tokens.vocabSize(); id++) {
            byte[] bytes = tokens.bytes(id);
            boolean ok;
            if (tokenizer.isEndOfGeneration(id)) {
                ok = complete;
            } else {
                ParseState s = bytes.length == 0 ? null : state;
                for (int i = 0; i < bytes.length && s != null; i++) {
                    s = s.next(bytes[i] & 0xFF);
                }
                ok = s != null;
            }
            if (ok) {
                allowed[id >>> 6] |= 1L << id;
            }
        }
        return allowed;
    }

    @Test
    void endOfGenerationOnlyOnceComplete() {
        Tokenizer tokenizer = Vocab.tokenizer("llama-bpe");
        JsonConstraint constraint = new JsonConstraint(JsonGrammar.anyObject(), Vocab.bytes("llama-bpe"), tokenizer::isEndOfGeneration);
        int eot = tokenizer.encode("<|eot_id|>", false, true)[0];
        assertTrue(tokenizer.isEndOfGeneration(eot));
        float[] logits = new float[tokenizer.vocabSize()];
        constraint.mask(logits);
        assertEquals(Float.NEGATIVE_INFINITY, logits[eot]);
        assertThrows(IllegalArgumentException.class, () -> constraint.accept(eot));
        for (int t : tokenizer.encode("{\"a\": [1]}", false, false)) {
            assertFalse(constraint.isComplete());
            constraint.accept(t);
        }
        assertTrue(constraint.isComplete());
        logits = new float[tokenizer.vocabSize()];
        constraint.mask(logits);
        assertEquals(0f, logits[eot]);
        assertEquals(Float.NEGATIVE_INFINITY, logits[tokenizer.encode("x", false, false)[0]]);
    }

    @Test
    void specialTokensNeverAppearInTheDocument() {
        Tokenizer tokenizer = Vocab.tokenizer("llama-bpe");
        JsonConstraint constraint = new JsonConstraint(JsonGrammar.anyObject(), Vocab.bytes("llama-bpe"), tokenizer::isEndOfGeneration);
        for (int t : tokenizer.encode("{\"a\": \"", false, false)) {
            constraint.accept(t);
        }
        float[] logits = new float[tokenizer.vocabSize() + 7]; // a padded output layer
        constraint.mask(logits);
        int header = tokenizer.encode("<|start_header_id|>", false, true)[0];
        assertEquals(Float.NEGATIVE_INFINITY, logits[header]);
        assertEquals(0f, logits[tokenizer.encode("hello", false, false)[0]]);
        for (int id = tokenizer.vocabSize(); id < logits.length; id++) {
            assertEquals(Float.NEGATIVE_INFINITY, logits[id]);
        }
        assertThrows(IllegalArgumentException.class, () -> constraint.accept(header));
    }

    @Test
    void refusesATokenTheMaskForbids() {
        Tokenizer tokenizer = Vocab.tokenizer("llama-bpe");
        JsonConstraint constraint = new JsonConstraint(JsonGrammar.anyObject(), Vocab.bytes("llama-bpe"), tokenizer::isEndOfGeneration);
        int bracket = tokenizer.encode("[", false, false)[0];
        assertThrows(IllegalArgumentException.class, () -> constraint.accept(bracket));
        constraint.accept(tokenizer.encode("{", false, false)[0]); // the failed token left the state as it was
    }

    /** The vocabularies of the models people run have each JSON byte as a token: the premise of "never empty". */
    @ParameterizedTest
    @ValueSource(strings = {"llama-bpe", "llama-spm", "gpt-2", "phi-3", "deepseek-llm", "deepseek-coder"})
    void vocabulariesHaveEveryJsonByte(String vocab) {
        assertTrue(Vocab.bytes(vocab).hasEveryJsonByte());
    }

    @Test
    void aVocabularyLackingAByteIsNoticed() {
        assertFalse(Vocab.bytes("starcoder").hasEveryJsonByte()); // it has no token for the UTF-8 lead byte F1
    }

    @Test
    void tokenBytesAreTheDetokenizersBytes() {
        for (String vocab : List.of("llama-bpe", "llama-spm")) {
            Tokenizer tokenizer = Vocab.tokenizer(vocab);
            TokenBytes tokens = Vocab.bytes(vocab);
            var decoder = tokenizer.newDecoder();
            StringBuilder streamed = new StringBuilder();
            var bytes = new java.io.ByteArrayOutputStream();
            for (int id : tokenizer.encode("{\"naïve\": \"日本語 😀\"}", false, false)) {
                bytes.writeBytes(tokens.bytes(id));
                streamed.append(decoder.push(id));
            }
            assertEquals(streamed.toString(), bytes.toString(StandardCharsets.UTF_8), vocab);
            assertTrue(streamed.toString().endsWith("{\"naïve\": \"日本語 😀\"}"), vocab);
            assertEquals(0, tokens.bytes(tokenizer.eos()).length);
        }
    }
}
