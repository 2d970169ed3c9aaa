package io.sinkserve.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpServerResponse;

/** Writing whole JSON responses, errors in OpenAI's envelope. Safe from any thread. */
final class Responses {
    private Responses() {
    }

    static void json(HttpServerResponse response, int status, String body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }

    static void error(HttpServerResponse response, ObjectMapper json, ApiException e) {
        if (response.headWritten()) {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
            return;
        }
        if (e.retryAfterSeconds() > 0) {
            response.putHeader("Retry-After", String.valueOf(e.retryAfterSeconds()));
        }
        json(response, e.status(), OpenAiFormat.error(json, e));
    }
}
