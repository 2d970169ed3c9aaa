package io.sinkserve.api;

import io.sinkserve.model.PromptRejectedException;
import io.sinkserve.scheduler.SchedulerRejectedException;
import io.sinkserve.session.PromptTooLongException;
import io.sinkserve.session.SessionBusyException;
import io.sinkserve.session.SessionCapacityException;
import io.sinkserve.session.SessionNotFoundException;

import io.vertx.ext.web.handler.HttpException;
import org.jboss.logging.Logger;

/** Turns any failure into an {@link ApiException}; unexpected ones are logged here and never shown to clients. */
final class ErrorMapper {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    private ErrorMapper() {
    }

    static ApiException toApi(Throwable t) {
        return switch (t) {
            case ApiException e -> e;
            case HttpException e -> forStatus(e.getStatusCode());
            case SessionNotFoundException e -> ApiException.notFound("session_not_found", "X-Session-ID", e.getMessage());
            case SessionBusyException e -> new ApiException(409, "invalid_request_error", "session_busy", "X-Session-ID",
                    e.getMessage(), 0);
            case SessionCapacityException e -> new ApiException(429, "rate_limit_error", "session_capacity", null,
                    e.getMessage(), 1);
            case SchedulerRejectedException e when e.reason() == SchedulerRejectedException.Reason.OVERLOADED ->
                    new ApiException(429, "rate_limit_error", "rate_limit_exceeded", null, e.getMessage(), 1);
            case SchedulerRejectedException e -> ApiException.unavailable("shutting_down", e.getMessage());
            case PromptTooLongException e -> new ApiException(400, "invalid_request_error", "context_length_exceeded",
                    e.param(), e.getMessage(), 0);
            case PromptRejectedException e -> new ApiException(400, "invalid_request_error", "template_error", "messages",
                    "the model's chat template rejected the conversation: " + e.getMessage(), 0);
            default -> {
                LOG.error("request failed", t);
                yield new ApiException(500, "server_error", "internal_error", null,
                        "internal error (" + t.getClass().getSimpleName() + "); see the server log", 0);
            }
        };
    }

    /** Status codes Vert.x raised without an exception (e.g. the body handler's 413). */
    static ApiException forStatus(int status) {
        return switch (status) {
            case 413 -> new ApiException(413, "invalid_request_error", "request_too_large", null,
                    "request body too large (see sinkserve.limits.max-body-bytes)", 0);
            case 404 -> ApiException.notFound("not_found", null, "no such endpoint");
            case 405 -> new ApiException(405, "invalid_request_error", "method_not_allowed", null, "method not allowed", 0);
            case 400 -> ApiException.invalid(null, "bad request");
            default -> new ApiException(status, status >= 500 ? "server_error" : "invalid_request_error", "http_" + status,
                    null, "HTTP " + status, 0);
        };
    }
}
