package io.sinkserve.tokenizer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamingDecoderTest {

    @Test
    void byteFallbackCharacterIsHeldUntilComplete() {
        Tokenizer tok = Vocabs.vocabOnly("llama-spm");
        int[] ids = tok.encode("🦙", false, false);
        // "▁" then the four UTF-8 bytes of the llama emoji as <0xNN> tokens
        assertEquals(5, ids.length);
        StreamingDecoder d = tok.newDecoder();
        assertEquals(" ", d.push(ids[0]));
        assertEquals("", d.push(ids[1]));
        assertEquals("", d.push(ids[2]));
        assertEquals("", d.push(ids[3]));
        assertEquals("🦙", d.push(ids[4]));
        assertEquals("", d.flush());
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "llama-bpe", "gpt-2", "deepseek-llm"})
    void streamingNeverEmitsBrokenCharactersAndAddsUpToTheText(String vocab) {
        Tokenizer tok = Vocabs.vocabOnly(vocab);
        String text = "🚀 (normal) 😶‍🌫️ нещо на Български កាន់តែពិសេសអាច 我想在apple工作1314151天～ Cửa Việt";
        int[] ids = tok.encode(text, false, false);
        StreamingDecoder d = tok.newDecoder();
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            String chunk = d.push(id);
            assertFalse(chunk.contains("\uFFFD"), "broken character after token " + id);
            out.append(chunk);
        }
        out.append(d.flush());
        String expected = vocab.equals("llama-spm") ? " " + text : text; // streaming keeps the SPM prefix space
        assertEquals(expected, out.toString());
    }

    @Test
    void flushReleasesAnUnfinishedCharacterAsReplacement() {
        Tokenizer tok = Vocabs.vocabOnly("llama-spm");
        int firstByteOfEmoji = tok.encode("🦙", false, false)[1];
        StreamingDecoder d = tok.newDecoder();
        assertEquals("", d.push(firstByteOfEmoji));
        assertEquals("\uFFFD", d.flush());
    }

    @Test
    void completePrefixStopsBeforeAnUnfinishedSequence() {
        byte[] euro = "a€".getBytes(StandardCharsets.UTF_8); // 61 E2 82 AC
        assertEquals(1, StreamingDecoder.completePrefix(euro, 2));
        assertEquals(1, StreamingDecoder.completePrefix(euro, 3));
        assertEquals(4, StreamingDecoder.completePrefix(euro, 4));
        byte[] stray = {(byte) 0x82, (byte) 0x82};
        assertTrue(StreamingDecoder.completePrefix(stray, 2) == 2, "stray continuation bytes are not held");
    }
}
