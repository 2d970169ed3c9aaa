package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.generate.TokenControls;
import io.sinkserve.scheduler.CancelCause;
import io.sinkserve.scheduler.Engine;
import io.sinkserve.scheduler.Generation;
import io.sinkserve.session.Session;
import io.sinkserve.session.SessionRegistry;
import io.sinkserve.session.SessionSettings;
import io.sinkserve.session.TurnPlan;
import io.sinkserve.tokenizer.ChatMessage;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * POST /v1/chat/completions and /v1/completions: binds the request to its session (X-Session-ID, else a
 * throw-away one), prefills only what the session has not seen, and streams or returns the result in
 * OpenAI's format.
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
        RequestParser parser = new RequestParser(engine.modelName(), runtime.config().limits().maxTokensLimit());
        CompletionRequest request = chat ? parser.chat(body, settings) : parser.text(body, settings);
        TokenOptions tokens = chat ? TokenOptions.chat(body, engine.vocabSize())
                : TokenOptions.completion(body, engine.vocabSize());
        int[] prompt = chat ? engine.renderChat(request.messages(), true) : engine.encode(request.prompt());
        if (LOG.isDebugEnabled()) {
            LOG.debugf("prompt: %s", chat ? request.messages() : request.prompt());
        }
        int systemTokens = chat ? systemPromptTokens(engine, request.messages(), settings) : 0;
        Session session = sessionId == null ? registry.acquireEphemeral(owner, settings)
                : registry.acquireOrCreate(sessionId, owner, settings);
        String id = (chat ? "chatcmpl-" : "cmpl-") + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        OpenAiFormat format = new OpenAiFormat(json, id, engine.modelName(), chat,
                tokens.logprobs() ? new LogprobsFormat(json, engine::tokenBytes) : null);
        String endpoint = chat ? "chat" : "completion";
        FollowUp followUp;
        try {
            followUp = chat ? FollowUp.chat(engine, request.messages(), prompt) : FollowUp.text(session);
        } catch (RuntimeException e) {
            registry.release(session);
            throw e;
        }
        start(ctx, session, prompt, systemTokens, request.sampling(), tokens.controls(engine), chat ? "messages" : "prompt",
                plan -> request.stream()
                        ? new OpenAiStreamExchange(endpoint, registry, session, plan, followUp, channel(ctx, sessionId),
                        format, json, request.includeUsage())
                        : new OpenAiJsonExchange(endpoint, registry, session, plan, followUp, ctx.response(), format, json,
                        sessionId));
    }

    SseChannel channel(RoutingContext ctx, String sessionId) {
        return new SseChannel(ctx.response(), ctx.vertx(), runtime.config().pingInterval(), sessionId);
    }

    /** Tokens of the system prompt alone, for sessions that pin it as sinks. */
    static int systemPromptTokens(Engine engine, List<ChatMessage> messages, SessionSettings settings) {
        if (!settings.pinSystemPrompt() || messages.isEmpty() || !messages.getFirst().role().equals("system")) {
            return 0;
        }
        return engine.renderChat(List.of(messages.getFirst()), false).length;
    }

    /**
     * Plans the turn on a session the caller has acquired and hands the generation to the scheduler. The session
     * is released here on any failure, else by the exchange when the generation ends.
     */
    void start(RoutingContext ctx, Session session, int[] prompt, int systemTokens, SamplingParams sampling,
               TokenControls controls, String promptParam, Function<TurnPlan, Exchange> exchanges) {
        SessionRegistry registry = runtime.sessions();
        try {
            TurnPlan plan = registry.plan(session, prompt, systemTokens);
            int limit = runtime.config().limits().maxPromptTokens();
            if (plan.newTokens().length > limit) {
                throw new ApiException(400, "invalid_request_error", "context_length_exceeded", promptParam,
                        "the prompt brings " + plan.newTokens().length + " new tokens; the limit is " + limit
                                + " (sinkserve.limits.max-prompt-tokens)", 0);
            }
            Exchange exchange = exchanges.apply(plan);
            Generation generation = new Generation(session.sequence(), plan.newTokens(), sampling, controls, exchange);
            ctx.response().closeHandler(v -> generation.cancel(CancelCause.CLIENT));
            runtime.scheduler().submit(generation);
            exchange.begin();
        } catch (RuntimeException e) {
            registry.release(session);
            throw e;
        }
    }
}
