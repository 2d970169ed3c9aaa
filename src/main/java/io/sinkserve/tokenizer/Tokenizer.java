package io.sinkserve.tokenizer;

import io.sinkserve.gguf.GGUFMetadata;

/**
 * Text to token ids and back, for the tokenizer a GGUF file describes. Implementations are immutable
 * and safe to share between threads.
 */
public interface Tokenizer {

    /** SentencePiece-style BPE for {@code tokenizer.ggml.model = llama}, byte-level BPE for {@code gpt2}. */
    static Tokenizer fromGGUF(GGUFMetadata md) {
        String model = md.getString("tokenizer.ggml.model", "");
        return switch (model) {
            case "llama" -> new SentencePieceTokenizer(md);
            case "gpt2" -> new ByteLevelBpeTokenizer(md);
            default -> throw new IllegalArgumentException("unsupported tokenizer model '" + model
                    + "' (supported: llama, gpt2)");
        };
    }

    /**
     * Tokenizes {@code text}. A BOS token is prepended only when {@code addBos} is set and the vocabulary
     * wants one ({@link #addBosByDefault()}). Special-token texts such as {@code <|eot_id|>} become their
     * control ids only when {@code parseSpecial} is set; otherwise they are tokenized as plain text.
     */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /**
     * Tokenizes rendered chat markup: special-token texts are parsed as special tokens, except inside
     * {@code literalRanges} ((start, end) pairs of char offsets: the message contents), which stay plain
     * text. Outside those rules the result equals {@code encode(text, addBos, true)}.
     */
    int[] encodeMarkup(String text, boolean addBos, int[] literalRanges);

    /** The text of a whole sequence: control tokens render as nothing, the SentencePiece leading space is dropped. */
    String decode(int[] ids);

    int vocabSize();

    int bos();

    int eos();

    /** True for eos, eot and the end-of-turn tokens of well-known chat formats present in the vocabulary. */
    boolean isEndOfGeneration(int id);

    boolean addBosByDefault();

    /** A decoder for streaming output: returns only complete UTF-8 characters. */
    StreamingDecoder newDecoder();

    /** The raw vocabulary entry of a token (e.g. {@code ▁Hello}, {@code <0x0A>}, {@code <|eot_id|>}). */
    String tokenText(int id);

    /** The bytes a token contributes to decoded text; empty for control tokens. */
    byte[] piece(int id);

    /**
     * Whether a token stands for ordinary text (a normal or byte token) rather than a control,
     * user-defined, unknown or unused one: the tokens a generation constrained to a text format may use.
     */
    boolean isText(int id);
}
