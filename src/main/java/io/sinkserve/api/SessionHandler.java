package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.scheduler.Engine;
import io.sinkserve.session.Session;
import io.sinkserve.session.SessionNotFoundException;
import io.sinkserve.session.SessionRegistry;
import io.sinkserve.session.SessionSettings;
import io.sinkserve.tokenizer.ChatMessage;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

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
        int sinks = RequestParser.optInt(body, "sinks", d.sinks());
        int window = RequestParser.optInt(body, "window", d.window());
        if (sinks < 0 || sinks > engine.contextLength()) {
            throw ApiException.invalid("sinks", "'sinks' must be between 0 and the model context (" + engine.contextLength() + ")");
        }
        if (window < 1 || sinks + window > engine.contextLength()) {
            throw ApiException.invalid("window", "'window' must be >= 1 and sinks + window at most the model context ("
                    + engine.contextLength() + "), got " + window);
        }
        EvictionPolicy policy = choice(EvictionPolicy.class, body, "policy", d.policy());
        int batch = RequestParser.optInt(body, "batch_size", body.has("window") ? Math.max(1, window / 2) : d.batchSize());
        if (batch < 1 || batch > window) {
            throw ApiException.invalid("batch_size", "'batch_size' must be between 1 and the window (" + window + ")");
        }
        KvStorage storage = choice(KvStorage.class, body, "kv_storage", d.storage());
        boolean pin = RequestParser.optBool(body, "pin_system_prompt", d.pinSystemPrompt());
        String system = RequestParser.optString(body, "system_prompt", null);
        JsonNode sampling = body.get("sampling");
        SamplingParams samplingDefaults = d.sampling();
        OptionalLong seed = d.seed();
        if (sampling != null && !sampling.isNull()) {
            if (!sampling.isObject()) {
                throw ApiException.invalidType("sampling", "an object");
            }
            samplingDefaults = parser(engine).sampling(sampling, d.sampling(), d.seed());
            if (sampling.hasNonNull("seed")) {
                seed = OptionalLong.of(samplingDefaults.seed());
            }
        }
        Session s = runtime.sessions().create(Auth.owner(ctx), new SessionSettings(sinks, window, policy, batch, storage,
                pin, samplingDefaults, seed));
        if (system != null) {
            s.conversation().add(new ChatMessage("system", system));
        }
        ctx.response().putHeader(CompletionHandler.SESSION_HEADER, s.id());
        Responses.json(ctx.response(), 201, OpenAiFormat.write(json, SessionView.of(json, s)));
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
        SessionRegistry registry = runtime.sessions();
        JsonNode body = Bodies.parse(json, ctx);
        String owner = Auth.owner(ctx);
        Session known = registry.find(id, owner).orElseThrow(() -> notFound(id));
        ChatMessage message = parser(engine).message(body);
        SamplingParams sampling = parser(engine).sampling(body, known.settings().sampling(), known.settings().seed());
        TokenOptions tokens = TokenOptions.message(body, engine.vocabSize());
        Session session;
        try {
            session = registry.acquire(id, owner);
        } catch (SessionNotFoundException e) {
            throw notFound(id);
        }
        List<ChatMessage> conversation;
        int[] prompt;
        int systemTokens;
        FollowUp followUp;
        try {
            conversation = new ArrayList<>(session.conversation());
            conversation.add(message);
            prompt = engine.renderChat(conversation, true);
            systemTokens = CompletionHandler.systemPromptTokens(engine, conversation, session.settings());
            followUp = FollowUp.chat(engine, conversation, prompt);
        } catch (RuntimeException e) {
            registry.release(session);
            throw e;
        }
        completions.start(ctx, session, prompt, systemTokens, sampling, tokens.controls(engine), "content",
                plan -> new NativeExchange(registry, session, plan, followUp, completions.channel(ctx, id), json, message));
    }

    private RequestParser parser(Engine engine) {
        return new RequestParser(engine.modelName(), runtime.config().limits().maxTokensLimit());
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
