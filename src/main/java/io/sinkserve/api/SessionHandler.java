package io.sinkserve.api;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.InvalidCacheConfigException;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.model.Engine;
import io.sinkserve.session.FollowUp;
import io.sinkserve.session.NativeConversation;
import io.sinkserve.session.Session;
import io.sinkserve.session.SessionNotFoundException;
import io.sinkserve.session.SessionSettings;
import io.sinkserve.session.SessionTarget;
import io.sinkserve.session.TurnPrompt;
import io.sinkserve.tokenizer.ChatMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Function;

/** The native session API: create, inspect, delete, and talk to a session whose conversation the server keeps. */
@ApplicationScoped
class SessionHandler {
    @Inject
    ServiceRuntime runtime;
    @Inject
    CompletionHandler completions;
    @Inject
    ObjectMapper json;

    /** POST /v1/sessions: cache shape, pinned system prompt and sampling defaults; all optional. */
    void create(RoutingContext ctx) {
        SessionSettings d = runtime.defaults();
        Engine engine = runtime.engine();
        JsonNode body = ctx.body().buffer() == null || ctx.body().buffer().length() == 0
                ? json.createObjectNode() : Bodies.parse(json, ctx);
        RequestParser.requireObject(body);
        CacheConfig cache = cache(body, d.cache(), engine.contextLength());
        boolean pin = RequestParser.optBool(body, "pin_system_prompt", d.pinSystemPrompt());
        String system = RequestParser.optString(body, "system_prompt", null);
        JsonNode sampling = body.get("sampling");
        SamplingParams samplingDefaults = d.sampling();
        OptionalLong seed = d.seed();
        if (sampling != null && !sampling.isNull()) {
            if (!sampling.isObject()) {
                throw ApiException.invalidType("sampling", "an object");
            }
            samplingDefaults = completions.parser().sampling(sampling, d.sampling(), d.seed());
            if (sampling.hasNonNull("seed")) {
                seed = OptionalLong.of(samplingDefaults.seed());
            }
        }
        Session s = runtime.sessions().create(Auth.owner(ctx), new SessionSettings(cache, pin, samplingDefaults, seed));
        if (system != null) {
            s.conversation().system(new ChatMessage("system", system));
        }
        ctx.response().putHeader(CompletionHandler.SESSION_HEADER, s.id());
        Responses.json(ctx.response(), 201, OpenAiFormat.write(json, SessionView.of(json, s)));
    }

    /** The request's cache settings over the defaults {@code d}; each bad value is a 400 naming its field. */
    private static CacheConfig cache(JsonNode body, CacheConfig d, int contextLength) {
        EvictionPolicy policy = choice(EvictionPolicy.class, body, "policy", d.policy());
        KvStorage storage = choice(KvStorage.class, body, "kv_storage", d.storage());
        int sinks = RequestParser.optInt(body, "sinks", d.sinks());
        int window = RequestParser.optInt(body, "window", d.window());
        // a window of the request's own gets the default batch for it, not the one chosen for the configured window
        int batch = RequestParser.optInt(body, "batch_size",
                body.has("window") ? CacheConfig.defaultBatchSize(window) : d.batchSize());
        try {
            return new CacheConfig(sinks, window, policy, batch, storage, 0).requireWithin(contextLength);
        } catch (InvalidCacheConfigException e) {
            String field = ConfiguredCache.field(e.setting());
            throw ApiException.invalid(field, e.messageFor("'" + field + "'"));
        }
    }

    /**
     * The new message's prompt. A session that can continue gets only the tokens the template adds for the message
     * (rendered after the kept context, never the whole conversation); a first turn, or a template whose rendering
     * of the context is not a prefix of the rendering with the message, gets the whole prompt over what is kept.
     */
    private static TurnPrompt prompt(Engine engine, Session session, ChatMessage message) {
        NativeConversation conversation = session.conversation();
        List<ChatMessage> messages = new ArrayList<>(conversation.context());
        messages.add(message);
        int[] prompt = engine.renderChat(messages, true);
        FollowUp followUp = FollowUp.chat(engine, messages, prompt);
        int system = CompletionHandler.systemPromptTokens(engine, messages, session.settings());
        Consumer<String> keep = reply -> conversation.completed(message, reply);
        if (session.canContinue()) {
            int[] before = engine.renderChat(conversation.context(), false);
            if (before.length < prompt.length && Arrays.equals(before, 0, before.length, prompt, 0, before.length)) {
                return new TurnPrompt(Arrays.copyOfRange(prompt, before.length, prompt.length), system, followUp, "content",
                        keep, true);
            }
        }
        return new TurnPrompt(prompt, system, followUp, "content", keep);
    }

    void get(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Session s = runtime.sessions().find(id, Auth.owner(ctx)).orElseThrow(() -> notFound(id));
        Responses.json(ctx.response(), 200, OpenAiFormat.write(json, SessionView.of(json, s)));
    }

    void delete(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        try {
            runtime.sessions().delete(id, Auth.owner(ctx));
        } catch (SessionNotFoundException e) {
            throw notFound(id);
        }
        ObjectNode o = json.createObjectNode().put("id", id).put("object", "session.deleted").put("deleted", true);
        Responses.json(ctx.response(), 200, OpenAiFormat.write(json, o));
    }

    /** POST /v1/sessions/{id}/messages: one new message; the reply streams as SSE events. */
    void message(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Engine engine = runtime.engine();
        JsonNode body = Bodies.parse(json, ctx);
        String owner = Auth.owner(ctx);
        Session known = runtime.sessions().find(id, owner).orElseThrow(() -> notFound(id));
        RequestParser parser = completions.parser();
        ChatMessage message = parser.message(body);
        SamplingParams sampling = parser.sampling(body, known.settings().sampling(), known.settings().seed());
        TokenOptions tokens = TokenOptions.message(body, engine.vocabSize());
        Function<Session, TurnPrompt> render = session -> prompt(engine, session, message);
        try {
            completions.run(ctx, "message", SessionTarget.existing(id, owner), render, sampling, tokens.controls(engine),
                    turn -> new NativeExchange(turn, completions.channel(ctx, id, turn), json));
        } catch (SessionNotFoundException e) {
            throw notFound(id);
        }
    }

    private static ApiException notFound(String id) {
        return ApiException.notFound("session_not_found", "id", new SessionNotFoundException(id).getMessage());
    }

    private static <E extends Enum<E>> E choice(Class<E> type, JsonNode body, String field, E d) {
        String v = RequestParser.optString(body, field, null);
        if (v == null) {
            return d;
        }
        return SessionChoice.of(type, v).orElseThrow(() -> ApiException.invalid(field,
                "'" + field + "' must be one of " + SessionChoice.names(type) + ", got '" + v + "'"));
    }
}
