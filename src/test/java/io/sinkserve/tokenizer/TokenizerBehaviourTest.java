package io.sinkserve.tokenizer;

import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerBehaviourTest {

    @Test
    void stories260KOnceUponATime() {
        Tokenizer tok = Vocabs.stories260K();
        assertArrayEquals(new int[] {1, 403, 407, 261, 378}, tok.encode("Once upon a time", true, false));
        assertArrayEquals(new int[] {403, 407, 261, 378}, tok.encode("Once upon a time", false, false));
        assertEquals("Once upon a time", tok.decode(new int[] {1, 403, 407, 261, 378}));
        assertEquals(512, tok.vocabSize());
        assertEquals(1, tok.bos());
        assertEquals(2, tok.eos());
        assertTrue(tok.isEndOfGeneration(2));
        assertFalse(tok.isEndOfGeneration(403));
    }

    @Test
    void stories260KLongTextStartsAsMeasuredIndependently() throws IOException {
        Tokenizer tok = Vocabs.stories260K();
        String text = Files.readString(TestFiles.data("tinystories_valid_head.txt"));
        int[] ids = tok.encode(text, true, false);
        assertArrayEquals(new int[] {1, 301, 427, 309, 426, 301, 427, 309, 394, 265, 262, 415, 271, 422, 280, 295},
                Arrays.copyOf(ids, 16));
        assertEquals(text, tok.decode(ids));
    }

    @Test
    void bosIsAddedOnlyWhenAskedAndWanted() {
        Tokenizer llama3 = Vocabs.vocabOnly("llama-bpe");
        assertTrue(llama3.addBosByDefault());
        assertEquals(128000, llama3.encode("Hello", true, false)[0]);
        assertArrayEquals(new int[] {9906}, llama3.encode("Hello", false, false));
        Tokenizer gpt2 = Vocabs.vocabOnly("gpt-2");
        assertFalse(gpt2.addBosByDefault());
        assertArrayEquals(gpt2.encode("Hello", false, false), gpt2.encode("Hello", true, false));
    }

    @Test
    void controlTokensInTextAreLiteralUnlessParsingSpecial() {
        Tokenizer tok = Vocabs.vocabOnly("llama-bpe");
        int eot = 128009;
        int[] plain = tok.encode("Hi<|eot_id|>", false, false);
        assertFalse(Arrays.stream(plain).anyMatch(id -> id == eot), Arrays.toString(plain));
        assertEquals("Hi<|eot_id|>", tok.decode(plain));
        int[] special = tok.encode("Hi<|eot_id|>", false, true);
        assertEquals(eot, special[special.length - 1]);
        assertArrayEquals(new int[] {eot}, tok.encode("<|eot_id|>", false, true));
        // control tokens render as nothing in decoded text
        assertEquals("Hi", tok.decode(special));
        assertEquals("<|eot_id|>", tok.tokenText(eot));
    }

    @Test
    void sentencePieceControlTokensAreLiteralUnlessParsingSpecial() {
        Tokenizer tok = Vocabs.vocabOnly("llama-spm");
        int[] plain = tok.encode("<s>hi</s>", false, false);
        assertFalse(Arrays.stream(plain).anyMatch(id -> id == 1 || id == 2), Arrays.toString(plain));
        int[] special = tok.encode("<s>hi</s>", false, true);
        assertEquals(1, special[0]);
        assertEquals(2, special[special.length - 1]);
    }

    @Test
    void endOfGenerationCoversEosEotAndWellKnownTurnEnds() {
        Tokenizer llama3 = Vocabs.vocabOnly("llama-bpe");
        assertTrue(llama3.isEndOfGeneration(128009)); // <|eot_id|>
        assertTrue(llama3.isEndOfGeneration(128001)); // <|end_of_text|>
        assertFalse(llama3.isEndOfGeneration(9906));
        Tokenizer phi3 = Vocabs.vocabOnly("phi-3");
        assertTrue(phi3.isEndOfGeneration(phi3.eos()));
        int end = phi3.encode("<|end|>", false, true)[0];
        assertEquals("<|end|>", phi3.tokenText(end));
        assertTrue(phi3.isEndOfGeneration(end));
        assertFalse(phi3.isEndOfGeneration(1));
        // phi-3's GGUF stores </s> as user-defined, which would match even in plain text
        assertTrue(phi3.isEndOfGeneration(2));
        int[] plain = phi3.encode("a</s>", false, false);
        assertFalse(Arrays.stream(plain).anyMatch(id -> id == 2), Arrays.toString(plain));
    }

    @Test
    void unknownTokenizerModelIsAClearError() {
        var md = new io.sinkserve.gguf.GGUFMetadata(java.util.Map.of("tokenizer.ggml.model", "bert"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromGGUF(md));
        assertTrue(e.getMessage().contains("bert"), e.getMessage());
    }
}
