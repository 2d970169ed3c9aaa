package io.sinkserve.synth;

import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.gguf.GGUFValueType;
import io.sinkserve.gguf.GGUFWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Copies a vocabulary file's {@code tokenizer.*} metadata into a synthetic model, fitted to the shape's
 * vocabulary size: padded with unused {@code [PADi]} tokens (as llama.cpp's converter pads Qwen's), or
 * trimmed, dropping merges and special ids that point past the end.
 */
final class SynthVocab {
    static final String TOKENS = "tokenizer.ggml.tokens";
    private static final String SCORES = "tokenizer.ggml.scores";
    private static final String TOKEN_TYPES = "tokenizer.ggml.token_type";
    private static final String MERGES = "tokenizer.ggml.merges";
    /** llama.cpp's token type for padding entries. */
    private static final int UNUSED = 5;

    private SynthVocab() {
    }

    /** Size of the vocabulary in {@code md}; an error when it has none. */
    static int size(GGUFMetadata md) {
        if (!md.has(TOKENS)) {
            throw new IllegalArgumentException("the vocabulary file has no " + TOKENS);
        }
        return md.getStringArray(TOKENS).length;
    }

    static void copy(GGUFMetadata src, int vocab, GGUFWriter w) {
        int n = size(src);
        for (String key : src.keys()) {
            if (!key.startsWith("tokenizer.")) {
                continue;
            }
            switch (key) {
                case TOKENS -> w.putArray(key, GGUFValueType.STRING, tokens(src.getStringArray(key), vocab));
                case SCORES -> w.putArray(key, src.elementType(key), fit((List<?>) src.get(key), vocab, 0f));
                case TOKEN_TYPES -> w.putArray(key, src.elementType(key), fit((List<?>) src.get(key), vocab, UNUSED));
                case MERGES -> w.putArray(key, GGUFValueType.STRING,
                        n <= vocab ? (List<?>) src.get(key) : keptMerges(src, vocab));
                default -> {
                    if (!(key.endsWith("_token_id") && src.get(key) instanceof Number id && id.longValue() >= vocab
                            && vocab < n)) {
                        w.putAll(src, key::equals);
                    }
                }
            }
        }
    }

    private static List<String> tokens(String[] tokens, int vocab) {
        List<String> out = new ArrayList<>(Arrays.asList(tokens).subList(0, Math.min(vocab, tokens.length)));
        for (int i = tokens.length; i < vocab; i++) {
            out.add("[PAD" + i + "]");
        }
        return out;
    }

    private static List<Object> fit(List<?> values, int vocab, Object pad) {
        List<Object> out = new ArrayList<>(values.subList(0, Math.min(vocab, values.size())));
        while (out.size() < vocab) {
            out.add(pad);
        }
        return out;
    }

    /** Merges "a b" whose parts and result all survive the trim. */
    private static List<String> keptMerges(GGUFMetadata src, int vocab) {
        String[] tokens = src.getStringArray(TOKENS);
        Set<String> kept = new HashSet<>(Arrays.asList(tokens).subList(0, vocab));
        List<String> out = new ArrayList<>();
        for (String m : src.getStringArray(MERGES)) {
            int space = m.indexOf(' ');
            if (space > 0) {
                String a = m.substring(0, space);
                String b = m.substring(space + 1);
                if (kept.contains(a) && kept.contains(b) && kept.contains(a + b)) {
                    out.add(m);
                }
            }
        }
        return out;
    }
}
