package io.sinkserve.api;

import io.sinkserve.model.Engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** GET /v1/models and /v1/models/{id}: the one served model, in OpenAI's model object. */
@ApplicationScoped
class ModelsHandler {
    @Inject
    ServiceRuntime runtime;
    @Inject
    ObjectMapper json;

    void list(RoutingContext ctx) {
        ObjectNode o = json.createObjectNode().put("object", "list");
        o.putArray("data").add(model());
        Responses.json(ctx.response(), 200, OpenAiFormat.write(json, o));
    }

    void retrieve(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String served = runtime.engine().modelName();
        if (!served.equals(id)) {
            throw ApiException.notFound("model_not_found", "model",
                    "the model '" + id + "' does not exist; this server serves '" + served + "'");
        }
        Responses.json(ctx.response(), 200, OpenAiFormat.write(json, model()));
    }

    private ObjectNode model() {
        Engine engine = runtime.engine();
        return json.createObjectNode().put("id", engine.modelName()).put("object", "model")
                .put("created", runtime.modelCreated()).put("owned_by", "sinkserve")
                .put("context_length", engine.contextLength());
    }
}
