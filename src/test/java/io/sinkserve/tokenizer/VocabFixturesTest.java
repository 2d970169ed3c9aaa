package io.sinkserve.tokenizer;

import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * llama.cpp's tokenizer test vectors: every input of vocab-only/*.inp must tokenize (without BOS and
 * without special-token parsing, as llama.cpp's test-tokenizer-0 does) to the ids on its line of .out,
 * and decode back to the input.
 */
class VocabFixturesTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "llama-bpe", "deepseek-coder", "deepseek-llm", "starcoder", "gpt-2"})
    void everyFixtureMatchesLlamaCpp(String vocab) throws IOException {
        Tokenizer tok = Vocabs.vocabOnly(vocab);
        String file = "vocab-only/ggml-vocab-" + vocab + ".gguf";
        List<String> inputs = inputs(Files.readString(TestFiles.model(file + ".inp"), StandardCharsets.UTF_8));
        List<String> lines = Files.readAllLines(TestFiles.model(file + ".out"), StandardCharsets.UTF_8);
        assertEquals(lines.size(), inputs.size(), "one expected line per input");
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String input = inputs.get(i);
            int[] expected = ids(lines.get(i));
            int[] actual = tok.encode(input, false, false);
            if (!Arrays.equals(expected, actual)) {
                failures.add("'" + input + "': expected " + Arrays.toString(expected) + " got " + Arrays.toString(actual));
            }
        }
        assertEquals(List.of(), failures, vocab);
        for (String input : inputs) {
            assertEquals(input, tok.decode(tok.encode(input, false, false)), "round trip of '" + input + "'");
        }
    }

    private static List<String> inputs(String inp) {
        List<String> parts = new ArrayList<>(Arrays.asList(inp.split(SEPARATOR, -1)));
        // the file ends with a separator, leaving one empty element that is not a test case
        if (parts.getLast().isEmpty()) {
            parts.removeLast();
        }
        return parts;
    }

    private static int[] ids(String line) {
        String t = line.strip();
        return t.isEmpty() ? new int[0] : Arrays.stream(t.split(" +")).mapToInt(Integer::parseInt).toArray();
    }

    @org.junit.jupiter.api.Test
    void separatorSplitKeepsTheEmptyInput() {
        assertArrayEquals(new Object[] {"a", "", "b"}, inputs("a" + SEPARATOR + SEPARATOR + "b" + SEPARATOR).toArray());
    }
}
