package io.sinkserve.tokenizer;

/**
 * A piece of input text after special-token splitting: either plain text or one special token.
 * {@code offset} is where the piece starts in the original input.
 */
record Fragment(String text, int token, int offset) {
    static Fragment text(String text, int offset) {
        return new Fragment(text, -1, offset);
    }

    static Fragment token(int id, int offset) {
        return new Fragment(null, id, offset);
    }

    boolean isText() {
        return token < 0;
    }
}
