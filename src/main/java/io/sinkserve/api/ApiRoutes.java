package io.sinkserve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The /v1 API as Vert.x routes rather than JAX-RS resources: the streaming endpoints need the raw response
 * (exact SSE bytes, ping comments, disconnect detection), and keeping every /v1 route here gives one body
 * limit, one auth check and one error envelope for all of them. Handlers that render templates or tokenize
 * run off the event loop.
 */
@ApplicationScoped
class ApiRoutes {
    @Inject
    ServiceRuntime runtime;
    @Inject
    CompletionHandler completions;
    @Inject
    SessionHandler sessions;
    @Inject
    ModelsHandler models;
    @Inject
    ObjectMapper json;

    void register(@Observes Router router) {
        SinkserveConfig config = runtime.config();
        Auth auth = new Auth(config.api().keys(), config.api().keysFile());
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.limits().maxBodyBytes());

        config.api().corsOrigins().filter(o -> !o.isEmpty())
                .ifPresent(origins -> router.route("/v1/*").order(-101).handler(Cors.handler(origins)));
        router.route("/v1/*").order(-100).handler(ctx -> auth.check(ctx)).failureHandler(this::failure);
        router.get("/v1/models").handler(models::list);
        router.get("/v1/models/:id").handler(models::retrieve);
        post(router, "/v1/chat/completions", body, completions::chat);
        post(router, "/v1/completions", body, completions::text);
        post(router, "/v1/sessions", body, sessions::create);
        router.get("/v1/sessions/:id").handler(sessions::get);
        router.delete("/v1/sessions/:id").handler(sessions::delete);
        post(router, "/v1/sessions/:id/messages", body, sessions::message);
        router.route("/v1/*").order(100).handler(ctx -> {
            throw ApiException.notFound("not_found", null,
                    "no such endpoint: " + ctx.request().method() + " " + ctx.request().path());
        });
    }

    private static void post(Router router, String path, BodyHandler body, Handler<RoutingContext> handler) {
        router.post(path).handler(body).blockingHandler(handler, false);
    }

    private void failure(RoutingContext ctx) {
        ApiException e = ctx.failure() != null ? ErrorMapper.toApi(ctx.failure()) : ErrorMapper.forStatus(ctx.statusCode());
        Responses.error(ctx.response(), json, e);
    }
}
