package io.sinkserve.api;

/**
 * An error with everything the OpenAI error envelope needs: HTTP status, type, code and the request field
 * at fault. {@code retryAfterSeconds} > 0 adds a Retry-After header.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final int retryAfterSeconds;

    public ApiException(int status, String type, String code, String param, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", "invalid_value", param, message, 0);
    }

    public static ApiException invalidType(String param, String expected) {
        return new ApiException(400, "invalid_request_error", "invalid_type", param,
                "'" + param + "' must be " + expected, 0);
    }

    public static ApiException missing(String param) {
        return new ApiException(400, "invalid_request_error", "missing_required_parameter", param,
                "'" + param + "' is required", 0);
    }

    public static ApiException notFound(String code, String param, String message) {
        return new ApiException(404, "invalid_request_error", code, param, message, 0);
    }

    public static ApiException unavailable(String code, String message) {
        return new ApiException(503, "server_error", code, null, message, 5);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
