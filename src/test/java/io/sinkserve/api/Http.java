package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real HTTP client for the tests: raw bodies, so SSE bytes can be checked exactly. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final URI base;

    Http(URI base) {
        this.base = base;
    }

    HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST with exact body bytes and Content-Type (null: no Content-Type header at all). */
    HttpResponse<String> postBytes(String path, byte[] body, String contentType) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> delete(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60)).DELETE();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    /** Splits an SSE body into frames (the text between blank lines); fails on a body that does not end with one. */
    static List<String> frames(String body) {
        if (!body.endsWith("\n\n")) {
            throw new AssertionError("SSE body must end with a blank line: " + body);
        }
        List<String> out = new ArrayList<>(List.of(body.substring(0, body.length() - 2).split("\n\n", -1)));
        return out;
    }

    /** The JSON payloads of {@code data: } frames, pings skipped, [DONE] excluded. */
    static List<JsonNode> dataFrames(String body) {
        List<JsonNode> out = new ArrayList<>();
        for (String f : frames(body)) {
            if (f.startsWith(":") || f.equals("data: [DONE]")) {
                continue;
            }
            if (!f.startsWith("data: ") || f.contains("\n")) {
                throw new AssertionError("not a single data frame: '" + f + "'");
            }
            out.add(json(f.substring(6)));
        }
        return out;
    }

    static String chat(String content, int maxTokens, long seed, boolean stream, String extra) {
        return "{\"model\":\"stories260K\",\"messages\":[{\"role\":\"user\",\"content\":" + quote(content) + "}],"
                + "\"max_tokens\":" + maxTokens + ",\"seed\":" + seed + ",\"stream\":" + stream
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
