package io.sinkserve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.generate.TokenLogprob;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.session.Turn;

import java.util.List;

/** An OpenAI streamed completion: role chunk, content chunks, finish chunk, optional usage chunk, [DONE]. */
final class OpenAiStreamExchange extends Exchange {
    private final SseChannel channel;
    private final OpenAiFormat format;
    private final ObjectMapper json;
    private final boolean includeUsage;

    OpenAiStreamExchange(Turn turn, SseChannel channel, OpenAiFormat format, ObjectMapper json, boolean includeUsage) {
        super(turn);
        this.channel = channel;
        this.format = format;
        this.json = json;
        this.includeUsage = includeUsage;
    }

    @Override
    void begin() {
        channel.open();
    }

    @Override
    public void onFirstToken() {
        channel.data(format.chunk(true, null, null, includeUsage));
    }

    @Override
    void deliver(String t, List<TokenLogprob> tokens, int offset) {
        channel.data(format.content(t, tokens, offset, includeUsage));
    }

    @Override
    void respond(GenerationResult r) {
        channel.data(format.chunk(false, null, OpenAiFormat.finishReason(r.finishReason()), includeUsage));
        if (includeUsage) {
            channel.data(format.usageChunk(format.usage(plan.promptTokens(), plan.cachedTokens(), r.generatedTokens())));
        }
        channel.end(true);
    }

    @Override
    void failed(ApiException e) {
        channel.data(OpenAiFormat.error(json, e));
        channel.end(true);
    }

    @Override
    void abort() {
        channel.abort();
    }
}
