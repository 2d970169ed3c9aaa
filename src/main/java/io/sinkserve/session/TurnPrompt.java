package io.sinkserve.session;

import java.util.function.Consumer;

/**
 * A turn's prompt, rendered once the session is held (the native API renders the session's conversation).
 *
 * @param tokens       the whole prompt, or with {@code extendsStream} only the tokens it adds to the session's stream
 * @param systemTokens tokens of a system prompt to pin as sinks if the session pins it (0: none)
 * @param followUp     what the finished turn leaves for the next one
 * @param param        the request field the prompt came from, named when it is too long
 * @param onReply      told the reply of a finished turn before the session is released (may be a no-op)
 * @param extendsStream the tokens follow what the session holds (the native API, whose server keeps the
 *                     conversation); only valid when {@link Session#canContinue()}
 */
public record TurnPrompt(int[] tokens, int systemTokens, FollowUp followUp, String param, Consumer<String> onReply,
                         boolean extendsStream) {
    /** A whole prompt (an OpenAI request resends the conversation). */
    public TurnPrompt(int[] tokens, int systemTokens, FollowUp followUp, String param, Consumer<String> onReply) {
        this(tokens, systemTokens, followUp, param, onReply, false);
    }
}
