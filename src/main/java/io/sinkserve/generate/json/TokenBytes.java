package io.sinkserve.generate.json;

import io.sinkserve.tokenizer.Tokenizer;

/**
 * Every token id's bytes as the detokenizer emits them ({@link Tokenizer#piece}, which already maps
 * SentencePiece's ▁, byte-fallback {@code <0xNN>} and byte-level BPE's characters), with the tables a
 * mask walks: the {@link TokenTrie} of the whole vocabulary and the {@link StringTokens} split for
 * string contents. Tokens that are not plain text (control, user-defined, unused) and end-of-generation
 * tokens get no bytes: they never appear inside a document. Built once per model; immutable and safe
 * to share between threads.
 */
public final class TokenBytes {
    private final byte[][] bytes;
    private final TokenTrie trie;
    private final StringTokens strings;
    private final boolean everyByte;
    private final long[] blank;

    private TokenBytes(byte[][] bytes) {
        this.bytes = bytes;
        this.blank = new long[(bytes.length + 63) >>> 6];
        for (int id = 0; id < bytes.length; id++) {
            if (isBlank(bytes[id])) {
                blank[id >>> 6] |= 1L << id;
            }
        }
        this.trie = new TokenTrie(bytes);
        this.strings = new StringTokens(bytes);
        boolean all = true;
        for (int b = 0; b < 256 && all; b++) {
            int child = trie.child(0, b);
            all = !canOccurInJson(b) || (child >= 0 && trie.tokensTo(child) > trie.tokensFrom(child));
        }
        this.everyByte = all;
    }

    /** The text tokens of {@code tokenizer}, with their detokenized bytes. */
    public static TokenBytes of(Tokenizer tokenizer) {
        byte[][] bytes = new byte[tokenizer.vocabSize()][];
        for (int id = 0; id < bytes.length; id++) {
            bytes[id] = tokenizer.isText(id) && !tokenizer.isEndOfGeneration(id) ? tokenizer.piece(id) : new byte[0];
        }
        return new TokenBytes(bytes);
    }

    /** A vocabulary given directly as each token's bytes (empty: never allowed inside a document). */
    static TokenBytes ofPieces(byte[][] pieces) {
        return new TokenBytes(pieces.clone());
    }

    public int vocabSize() {
        return bytes.length;
    }

    /** The bytes of token {@code id}; empty for a token that never appears inside a document. */
    byte[] bytes(int id) {
        return bytes[id];
    }

    /**
     * Whether every byte that can occur in JSON text (whitespace, printable ASCII, and the bytes of
     * well-formed UTF-8) is a token on its own, as in byte-level BPE and SentencePiece with byte
     * fallback: then any valid next byte has a token, so a mask over a viable parse state is never empty.
     */
    public boolean hasEveryJsonByte() {
        return everyByte;
    }

    /** Whether token {@code id} is JSON whitespace and nothing else. */
    boolean isBlank(int id) {
        return (blank[id >>> 6] & (1L << id)) != 0;
    }

    /** The whitespace-only tokens as a bit set over token ids (not to be modified). */
    long[] blankTokens() {
        return blank;
    }

    private static boolean isBlank(byte[] piece) {
        boolean ws = piece.length > 0;
        for (int i = 0; i < piece.length && ws; i++) {
            ws = piece[i] == ' ' || piece[i] == '\n' || piece[i] == '\r' || piece[i] == '\t';
        }
        return ws;
    }

    private static boolean canOccurInJson(int b) {
        return b == '\t' || b == '\n' || b == '\r' || (b >= 0x20 && b <= 0xBF) || (b >= 0xC2 && b <= 0xF4);
    }

    TokenTrie trie() {
        return trie;
    }

    StringTokens strings() {
        return strings;
    }
}
