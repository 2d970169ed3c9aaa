package io.sinkserve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sinkserve.generate.TokenLogprob;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.session.Turn;

import java.util.List;

/**
 * The native API's stream: {@code event: delta} per text delta, then {@code event: done} with usage, timings
 * and the cache's state (or {@code event: error}).
 */
final class NativeExchange extends Exchange {
    private final SseChannel channel;
    private final ObjectMapper json;

    NativeExchange(Turn turn, SseChannel channel, ObjectMapper json) {
        super(turn);
        this.channel = channel;
        this.json = json;
    }

    @Override
    void begin() {
        channel.open();
    }

    @Override
    void deliver(String t, List<TokenLogprob> tokens, int offset) {
        ObjectNode o = json.createObjectNode().put("text", t);
        channel.event("delta", OpenAiFormat.write(json, o));
    }

    @Override
    void respond(GenerationResult r) {
        ObjectNode o = json.createObjectNode();
        o.put("session_id", turn.session().id()).put("finish_reason", OpenAiFormat.finishReason(r.finishReason()))
                .put("text", turn.reply());
        o.putObject("usage").put("prompt_tokens", plan.promptTokens()).put("cached_tokens", plan.cachedTokens())
                .put("prefilled_tokens", r.prefilledTokens()).put("completion_tokens", r.generatedTokens());
        o.putObject("timings").put("queued_ms", r.queuedNanos() / 1e6).put("ttft_ms", r.timeToFirstTokenNanos() / 1e6)
                .put("duration_ms", r.durationNanos() / 1e6).put("tokens_per_second", r.tokensPerSecond());
        o.set("cache", SessionView.cache(json, turn.session().cacheStats()));
        o.put("rebuilt", plan.rebuilt());
        channel.event("done", OpenAiFormat.write(json, o));
        channel.end(false);
    }

    @Override
    void failed(ApiException e) {
        channel.event("error", OpenAiFormat.error(json, e));
        channel.end(false);
    }

    @Override
    void abort() {
        channel.abort();
    }
}
