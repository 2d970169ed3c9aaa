package io.sinkserve.api;

import io.sinkserve.generate.SamplingParams;
import io.sinkserve.tokenizer.ChatMessage;

import java.util.List;

/**
 * A parsed, validated completion request: either chat {@code messages} or a text {@code prompt}.
 *
 * @param sampling the request's sampling, with the session's defaults for every field it left out
 */
record CompletionRequest(List<ChatMessage> messages, String prompt, boolean stream, boolean includeUsage,
                         SamplingParams sampling) {
}
