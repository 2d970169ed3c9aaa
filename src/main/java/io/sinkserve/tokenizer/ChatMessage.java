package io.sinkserve.tokenizer;

public record ChatMessage(String role, String content) {
}
