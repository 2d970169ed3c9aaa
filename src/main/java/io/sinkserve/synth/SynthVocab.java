package io.sinkserve.synth;

import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.gguf.GGUFValueType;
import io.sinkserve.gguf.GGUFWriter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Copies a vocabulary file's {@code tokenizer.*} metadata into a synthetic model, fitted to the shape's
 * vocabulary size: padded with unused {@code [PADi]} tokens (as llama.cpp's converter pads Qwen's), or
 * trimmed, dropping the merges that lose a part. Special tokens past the end (gpt-2's
 * {@code <|endoftext|>}, its BOS and EOS, is its last id) are moved into the last slots of the trimmed
 * vocabulary, so the model keeps its BOS and EOS.
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
        String[] srcTokens = src.getStringArray(TOKENS);
        List<String> tokens = tokens(srcTokens, vocab);
        // source id -> its slot in the trimmed vocabulary, for special ids past the end
        Map<Long, Integer> moved = n > vocab ? movedSpecials(src, vocab) : Map.of();
        moved.forEach((id, slot) -> tokens.set(slot, srcTokens[(int) (long) id]));
        for (String key : src.keys()) {
            if (!key.startsWith("tokenizer.")) {
                continue;
            }
            switch (key) {
                case TOKENS -> w.putArray(key, GGUFValueType.STRING, tokens);
                case SCORES -> w.putArray(key, src.elementType(key), fit((List<?>) src.get(key), vocab, 0f, moved));
                case TOKEN_TYPES -> w.putArray(key, src.elementType(key), fit((List<?>) src.get(key), vocab, UNUSED, moved));
                case MERGES -> w.putArray(key, GGUFValueType.STRING,
                        n <= vocab ? (List<?>) src.get(key) : keptMerges(src.getStringArray(MERGES), tokens));
                default -> {
                    if (specialId(src, key) instanceof Long id && moved.containsKey(id)) {
                        w.putUInt32(key, moved.get(id));
                    } else {
                        w.putAll(src, key::equals);
                    }
                }
            }
        }
    }

    private static Long specialId(GGUFMetadata src, String key) {
        return key.endsWith("_token_id") && src.get(key) instanceof Number id ? id.longValue() : null;
    }

    /** Special ids at or past {@code vocab}, each given a slot from the end down (skipping kept special ids). */
    private static Map<Long, Integer> movedSpecials(GGUFMetadata src, int vocab) {
        Set<Long> specials = new TreeSet<>();
        for (String key : src.keys()) {
            if (key.startsWith("tokenizer.") && specialId(src, key) instanceof Long id) {
                specials.add(id);
            }
        }
        Map<Long, Integer> moved = new LinkedHashMap<>();
        int slot = vocab - 1;
        for (long id : specials) {
            if (id < vocab) {
                continue;
            }
            while (specials.contains((long) slot)) {
                slot--;
            }
            if (slot < 0) {
                break;
            }
            moved.put(id, slot--);
        }
        return moved;
    }

    private static List<String> tokens(String[] tokens, int vocab) {
        List<String> out = new ArrayList<>(Arrays.asList(tokens).subList(0, Math.min(vocab, tokens.length)));
        for (int i = tokens.length; i < vocab; i++) {
            out.add("[PAD" + i + "]");
        }
        return out;
    }

    private static List<Object> fit(List<?> values, int vocab, Object pad, Map<Long, Integer> moved) {
        List<Object> out = new ArrayList<>(values.subList(0, Math.min(vocab, values.size())));
        while (out.size() < vocab) {
            out.add(pad);
        }
        moved.forEach((id, slot) -> out.set(slot, values.get((int) (long) id)));
        return out;
    }

    /** Merges "a b" whose parts and result all survive the trim. */
    private static List<String> keptMerges(String[] merges, List<String> tokens) {
        Set<String> kept = new HashSet<>(tokens);
        List<String> out = new ArrayList<>();
        for (String m : merges) {
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
