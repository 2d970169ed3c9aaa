package io.sinkserve.tokenizer;

import java.util.Objects;

/** One turn of a conversation, as a chat template sees it. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
