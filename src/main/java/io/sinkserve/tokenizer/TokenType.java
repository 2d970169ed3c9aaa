package io.sinkserve.tokenizer;

/** The token types GGUF stores in {@code tokenizer.ggml.token_type} (llama.cpp's numbering). */
enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    static TokenType fromGguf(int code) {
        TokenType[] all = values();
        return code >= 0 && code < all.length ? all[code] : UNDEFINED;
    }
}
