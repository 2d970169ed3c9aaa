package io.sinkserve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.generate.TokenLogprob;
import io.sinkserve.scheduler.GenerationResult;
import io.sinkserve.session.Turn;
import io.vertx.core.http.HttpServerResponse;

import java.util.List;

/** An OpenAI completion answered in one JSON body once the generation ends. */
final class OpenAiJsonExchange extends Exchange {
    private final HttpServerResponse response;
    private final OpenAiFormat format;
    private final ObjectMapper json;
    private final String sessionId;

    OpenAiJsonExchange(Turn turn, HttpServerResponse response, OpenAiFormat format, ObjectMapper json, String sessionId) {
        super(turn);
        this.response = response;
        this.format = format;
        this.json = json;
        this.sessionId = sessionId;
    }

    @Override
    void deliver(String t, List<TokenLogprob> tokens, int offset) {
    }

    @Override
    void respond(GenerationResult r) {
        String body = format.response(turn.reply(), logprobs, OpenAiFormat.finishReason(r.finishReason()),
                format.usage(plan.promptTokens(), plan.cachedTokens(), r.generatedTokens()));
        if (sessionId != null) {
            response.putHeader(CompletionHandler.SESSION_HEADER, sessionId);
        }
        Responses.json(response, 200, body);
    }

    @Override
    void failed(ApiException e) {
        Responses.error(response, json, e);
    }

    @Override
    void abort() {
        response.reset();
    }
}
