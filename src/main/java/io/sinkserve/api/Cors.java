package io.sinkserve.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.handler.CorsHandler;

import java.util.List;
import java.util.Set;

/**
 * Cross-origin access to /v1 for browser front-ends served from another origin (sinkserve.api.cors-origins).
 * Preflights are answered before authentication, since browsers send them without credentials.
 */
final class Cors {
    /** What a browser client sends: a Bearer key, a JSON body, the session header. */
    static final Set<String> ALLOWED_HEADERS = Set.of("Authorization", "Content-Type", CompletionHandler.SESSION_HEADER);

    private Cors() {
    }

    /** A handler for the given origins ("*" for any); none when the list is empty. */
    static CorsHandler handler(List<String> origins) {
        CorsHandler h = CorsHandler.create();
        for (String origin : origins) {
            h.addOrigin(origin.strip());
        }
        return h.allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE, HttpMethod.OPTIONS))
                .allowedHeaders(ALLOWED_HEADERS)
                .exposedHeader(CompletionHandler.SESSION_HEADER)
                .maxAgeSeconds(600);
    }
}
