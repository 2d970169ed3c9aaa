package io.sinkserve.tokenizer;

/** A piece of input text after special-token splitting: either plain text or one special token. */
record Fragment(String text, int token) {
    static Fragment text(String text) {
        return new Fragment(text, -1);
    }

    static Fragment token(int id) {
        return new Fragment(null, id);
    }

    boolean isText() {
        return token < 0;
    }
}
