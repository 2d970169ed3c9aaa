package io.sinkserve.api;

import io.sinkserve.generate.SamplingParams;
import io.sinkserve.generate.TokenControls;
import io.sinkserve.model.Engine;
import io.sinkserve.scheduler.CancelCause;
import io.sinkserve.session.FollowUp;
import io.sinkserve.session.Session;
import io.sinkserve.session.SessionRegistry;
import io.sinkserve.session.SessionSettings;
import io.sinkserve.session.SessionTarget;
import io.sinkserve.session.Turn;
import io.sinkserve.session.TurnPrompt;
import io.sinkserve.tokenizer.ChatMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * POST /v1/chat/completions and /v1/completions: binds the request to its session (X-Session-ID; for a chat
 * request without one, the caller's implicit session it continues or a new one; else a throw-away one),
 * prefills only what the session has not seen, and streams or returns the result in OpenAI's format. The
 * response's X-Session-ID names the session that served it.
 */
@ApplicationScoped
class CompletionHandler {
    static final String SESSION_HEADER = "X-Session-ID";
    private static final Logger LOG = Logger.getLogger(CompletionHandler.class);

    @Inject
    ServiceRuntime runtime;
    @Inject
    ObjectMapper json;

    void chat(RoutingContext ctx) {
        complete(ctx, true);
    }

    void text(RoutingContext ctx) {
        complete(ctx, false);
    }

    private void complete(RoutingContext ctx, boolean chat) {
        Engine engine = runtime.engine();
        SessionRegistry registry = runtime.sessions();
        JsonNode body = Bodies.parse(json, ctx);
        String owner = Auth.owner(ctx);
        String sessionId = ctx.request().getHeader(SESSION_HEADER);
        if (sessionId != null && !SessionRegistry.isValidId(sessionId)) {
            throw ApiException.invalid(SESSION_HEADER, "X-Session-ID must be 1-128 characters of A-Z a-z 0-9 . _ : -");
        }
        SessionSettings settings = sessionId == null ? runtime.defaults()
                : registry.find(sessionId, owner).map(Session::settings).orElse(runtime.defaults());
        CompletionRequest request = chat ? parser().chat(body, settings) : parser().text(body, settings);
        TokenOptions tokens = chat ? TokenOptions.chat(body, engine.vocabSize())
                : TokenOptions.completion(body, engine.vocabSize());
        int[] prompt = chat ? engine.renderChat(request.messages(), true) : engine.encode(request.prompt());
        if (LOG.isDebugEnabled()) {
            LOG.debugf("prompt: %s", chat ? request.messages() : request.prompt());
        }
        int systemTokens = chat ? systemPromptTokens(engine, request.messages(), settings) : 0;
        String id = (chat ? "chatcmpl-" : "cmpl-") + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        OpenAiFormat format = new OpenAiFormat(json, id, engine.modelName(), chat,
                tokens.logprobs() ? new LogprobsFormat(json, engine::tokenBytes) : null);
        boolean implicit = sessionId == null && chat && runtime.config().sessions().implicit();
        SessionTarget target = implicit ? SessionTarget.implicit(owner, settings, prompt)
                : sessionId == null ? SessionTarget.ephemeral(owner, settings)
                : SessionTarget.named(sessionId, owner, settings);
        Function<Session, TurnPrompt> render = s -> new TurnPrompt(prompt, systemTokens,
                chat ? FollowUp.chat(engine, request.messages(), prompt) : FollowUp.text(s),
                chat ? "messages" : "prompt", reply -> { });
        run(ctx, chat ? "chat" : "completion", target, render, request.sampling(), tokens.controls(engine), turn -> {
            String served = turn.session().ephemeral() ? null : turn.session().id();
            return request.stream()
                    ? new OpenAiStreamExchange(turn, channel(ctx, served, turn), format, json, request.includeUsage())
                    : new OpenAiJsonExchange(turn, ctx.response(), format, json, served);
        });
    }

    RequestParser parser() {
        SinkserveConfig.Limits l = runtime.config().limits();
        return new RequestParser(runtime.engine().modelName(), l.maxTokensLimit(), l.maxRepeatLastN());
    }

    SseChannel channel(RoutingContext ctx, String sessionId, Turn turn) {
        SseChannel c = new SseChannel(ctx.response(), ctx.vertx(), runtime.config().pingInterval(), sessionId);
        c.flowControl(turn);
        return c;
    }

    /** Tokens of the system prompt alone, for sessions that pin it as sinks. */
    static int systemPromptTokens(Engine engine, List<ChatMessage> messages, SessionSettings settings) {
        if (!settings.pinSystemPrompt() || messages.isEmpty() || !messages.getFirst().role().equals("system")) {
            return 0;
        }
        return engine.renderChat(List.of(messages.getFirst()), false).length;
    }

    /**
     * Starts the turn (refused turns throw, leaving the session as it was), then ties it to the connection: a
     * client that goes away cancels it, queued or running.
     */
    void run(RoutingContext ctx, String endpoint, SessionTarget target, Function<Session, TurnPrompt> render,
             SamplingParams sampling, TokenControls controls, Function<Turn, Exchange> exchanges) {
        Exchange[] exchange = new Exchange[1];
        Turn turn = runtime.turns().start(endpoint, target, render, sampling, controls, t -> exchange[0] = exchanges.apply(t));
        ctx.response().closeHandler(v -> turn.cancel(CancelCause.CLIENT));
        if (ctx.response().closed()) {
            turn.cancel(CancelCause.CLIENT);
        }
        exchange[0].begin();
    }
}
