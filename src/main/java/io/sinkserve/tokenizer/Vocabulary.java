package io.sinkserve.tokenizer;

import io.sinkserve.gguf.GGUFMetadata;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The token table of a GGUF tokenizer: texts, scores, types, the special ids and which tokens end a
 * generation. Shared by both tokenizer algorithms.
 */
final class Vocabulary {
    /** Token texts that end a turn in well-known chat formats; GGUF files often omit an explicit eot id. */
    private static final Set<String> END_OF_TURN_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>",
            "<|end_of_text|>", "<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>", "</s>");

    private final String[] texts;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> ids;
    private final int bos;
    private final int eos;
    private final int unk;
    private final boolean addBos;
    private final BitSet endOfGeneration = new BitSet();
    private final int[] specialTokens;

    private Vocabulary(String[] texts, float[] scores, TokenType[] types, int bos, int eos, int eot, int eom,
                       int unk, boolean addBos) {
        this.texts = texts;
        this.scores = scores;
        this.types = types;
        this.ids = new HashMap<>(texts.length * 2);
        for (int i = 0; i < texts.length; i++) {
            ids.putIfAbsent(texts[i], i);
        }
        this.bos = bos;
        this.eos = eos;
        this.unk = unk;
        this.addBos = addBos && bos >= 0;
        for (int id : new int[] {eos, eot, eom}) {
            if (id >= 0) {
                endOfGeneration.set(id);
            }
        }
        for (String text : END_OF_TURN_TEXTS) {
            Integer id = ids.get(text);
            if (id != null) {
                endOfGeneration.set(id);
                // as llama.cpp does: a turn terminator is a control token even where the converter
                // stored it as user-defined, so user text cannot produce it and it never prints
                types[id] = TokenType.CONTROL;
            }
        }
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            TokenType t = types[i];
            if (t == TokenType.CONTROL || t == TokenType.USER_DEFINED || t == TokenType.UNKNOWN) {
                special.add(i);
            }
        }
        // longest first, so "<|eot_id|>" wins over any shorter special token it contains
        special.sort(Comparator.comparingInt((Integer i) -> texts[i].length()).reversed().thenComparingInt(i -> i));
        this.specialTokens = special.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Reads the {@code tokenizer.ggml.*} keys; defaults for absent ids follow llama.cpp per tokenizer model. */
    static Vocabulary fromGGUF(GGUFMetadata md, boolean sentencePiece, boolean addBosDefault) {
        String[] texts = md.getStringArray("tokenizer.ggml.tokens");
        int n = texts.length;
        float[] scores = md.has("tokenizer.ggml.scores") ? md.getFloatArray("tokenizer.ggml.scores") : new float[n];
        TokenType[] types = new TokenType[n];
        int[] codes = md.has("tokenizer.ggml.token_type") ? md.getIntArray("tokenizer.ggml.token_type") : null;
        for (int i = 0; i < n; i++) {
            types[i] = codes == null ? TokenType.NORMAL : TokenType.fromGguf(codes[i]);
        }
        if (scores.length < n || (codes != null && codes.length < n)) {
            throw new IllegalArgumentException("GGUF tokenizer arrays are shorter than the token list (" + n + ")");
        }
        int bos = id(md, "tokenizer.ggml.bos_token_id", sentencePiece ? 1 : 11, n);
        int eos = id(md, "tokenizer.ggml.eos_token_id", sentencePiece ? 2 : 11, n);
        int eot = id(md, "tokenizer.ggml.eot_token_id", -1, n);
        int eom = id(md, "tokenizer.ggml.eom_token_id", -1, n);
        int unk = id(md, "tokenizer.ggml.unknown_token_id", sentencePiece ? 0 : -1, n);
        boolean addBos = md.getBool("tokenizer.ggml.add_bos_token", addBosDefault);
        return new Vocabulary(texts, scores, types, bos, eos, eot, eom, unk, addBos);
    }

    private static int id(GGUFMetadata md, String key, int def, int n) {
        long v = md.getLong(key, def);
        // unset ids are stored as 0xFFFFFFFF; any id outside the table is treated as absent
        return v >= 0 && v < n ? (int) v : (def < n ? def : -1);
    }

    int size() {
        return texts.length;
    }

    String text(int id) {
        return texts[id];
    }

    float score(int id) {
        return scores[id];
    }

    TokenType type(int id) {
        return types[id];
    }

    /** The id of a token text, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    int bos() {
        return bos;
    }

    int eos() {
        return eos;
    }

    int unk() {
        return unk;
    }

    boolean addBos() {
        return addBos;
    }

    boolean isEndOfGeneration(int id) {
        return id >= 0 && endOfGeneration.get(id);
    }

    /** Control, user-defined and unknown tokens, longest text first. */
    int[] specialTokens() {
        return specialTokens;
    }
}
