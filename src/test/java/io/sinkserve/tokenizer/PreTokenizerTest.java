package io.sinkserve.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Word splits for the pre-tokenizers that have no vocab fixture of their own (qwen2, smollm). */
class PreTokenizerTest {

    @Test
    void qwen2SplitsDigitsOneByOneAndKeepsContractionsAnyCase() {
        PreTokenizer qwen2 = PreTokenizer.forName("qwen2");
        assertEquals(List.of("abc", " ", "1", "2", "3"), qwen2.split("abc 123"));
        assertEquals(List.of("I", "'VE", " been"), qwen2.split("I'VE been"));
        assertEquals(List.of("Hi", ",\n\n", "there"), qwen2.split("Hi,\n\nthere"));
        assertFalse(qwen2.ignoreMerges());
    }

    @Test
    void llama3GroupsUpToThreeDigitsAndTakesWholeWordsFromTheVocabulary() {
        PreTokenizer llama3 = PreTokenizer.forName("llama-bpe");
        assertEquals(List.of("abc", " ", "123", "4"), llama3.split("abc 1234"));
        assertTrue(llama3.ignoreMerges());
    }

    @Test
    void smollmSplitsDigitsBeforeTheGpt2Rules() {
        PreTokenizer smollm = PreTokenizer.forName("smollm");
        assertEquals(List.of("abc", " ", "1", "2", "3"), smollm.split("abc 123"));
        assertEquals(List.of("it", "'s", " ok", "  ", " now"), smollm.split("it's ok   now"));
    }

    @Test
    void unknownPreTokenizerIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreTokenizer.forName("klingon"));
        assertTrue(e.getMessage().contains("klingon"));
    }
}
