package io.sinkserve.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Serves the chat page from the classpath and answers its API calls with a fixed script, writing SSE
 * frames in awkward pieces (split inside frames and inside UTF-8 characters, CR LF line ends, ping
 * comments) that a real server rarely produces but any proxy may. Lets the page's stream handling be
 * tested on its own; the end-to-end behaviour is tested against the real app in {@link ChatPageTest}.
 */
final class ScriptedServer implements AutoCloseable {
    /** The pieces of the streamed reply, in order; joined they make {@link #REPLY}. */
    static final List<String> DELTAS = List.of("Once", " upon", " a tim", "e, caf", "é 🙂", " lived", " a", " cat.");
    static final String REPLY = String.join("", DELTAS);
    /** A user message with this text gets a 400 in the OpenAI error envelope. */
    static final String REJECTED = "please fail";
    static final String ERROR_MESSAGE = "temperature must be between 0 and 2";
    /** A user message with this text gets a stream that never ends on its own. */
    static final String ENDLESS = "go on forever";
    /** The scripted cache: every streamed piece counts as one token; past sinks + window each one evicts one. */
    static final int SINKS = 2;
    static final int WINDOW = 4;
    static final double TTFT_MS = 12.4;
    static final double TOKENS_PER_SECOND = 321.56;

    private final HttpServer server;
    private final List<String> sessionHeaders = new CopyOnWriteArrayList<>();
    private final CountDownLatch endlessClosed = new CountDownLatch(1);
    private int sessions;
    private long tokensSeen;
    private int requests;

    ScriptedServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** The X-Session-ID header of every chat request, in order. */
    List<String> sessionHeaders() {
        return sessionHeaders;
    }

    /** Waits until the client has gone away from an endless stream. */
    boolean awaitEndlessClosed(long seconds) throws InterruptedException {
        return endlessClosed.await(seconds, TimeUnit.SECONDS);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (method.equals("GET") && path.equals("/v1/models")) {
                json(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"scripted\",\"object\":\"model\"}]}");
            } else if (method.equals("POST") && path.equals("/v1/sessions")) {
                ex.getRequestBody().readAllBytes();
                synchronized (this) {
                    sessions++;
                    tokensSeen = 0;
                    requests = 0;
                    json(ex, 201, sessionJson("scripted-" + sessions));
                }
            } else if (method.equals("GET") && path.startsWith("/v1/sessions/")) {
                synchronized (this) {
                    json(ex, 200, sessionJson(path.substring("/v1/sessions/".length())));
                }
            } else if (method.equals("POST") && path.equals("/v1/chat/completions")) {
                chat(ex);
            } else if (method.equals("GET")) {
                staticFile(ex, path.equals("/") ? "/index.html" : path);
            } else {
                json(ex, 405, "{\"error\":{\"message\":\"method not allowed\"}}");
            }
        }
    }

    /** The fields of GET /v1/sessions/{id} that the page reads. */
    private String sessionJson(String id) {
        long size = Math.min(tokensSeen, SINKS + WINDOW);
        return "{\"id\":\"" + id + "\",\"object\":\"session\",\"settings\":{\"sinks\":" + SINKS + ",\"window\":" + WINDOW
                + ",\"policy\":\"token\"},\"cache\":{\"capacity\":" + (SINKS + WINDOW) + ",\"tokens\":" + size
                + ",\"tokens_seen\":" + tokensSeen + ",\"evictions\":" + (tokensSeen - size)
                + ",\"evicted_tokens\":" + (tokensSeen - size) + "},\"requests\":" + requests
                + ",\"last_ttft_ms\":" + TTFT_MS + ",\"last_tokens_per_second\":" + TOKENS_PER_SECOND + "}";
    }

    private void chat(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        sessionHeaders.add(ex.getRequestHeaders().getFirst("X-Session-ID"));
        if (body.contains(REJECTED)) {
            json(ex, 400, "{\"error\":{\"message\":\"" + ERROR_MESSAGE + "\",\"type\":\"invalid_request_error\","
                    + "\"param\":\"temperature\",\"code\":null}}");
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        if (body.contains(ENDLESS)) {
            endless(out);
            return;
        }
        writeSplit(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\r\n\r\n");
        writeSplit(out, ": ping\n\n");
        for (String delta : DELTAS) {
            synchronized (this) {
                tokensSeen++;
            }
            writeSplit(out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + delta + "\"}}]}\n\n");
        }
        synchronized (this) {
            requests++;
        }
        writeSplit(out, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        writeSplit(out, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" + DELTAS.size()
                + ",\"total_tokens\":" + (5 + DELTAS.size()) + ",\"prompt_tokens_details\":{\"cached_tokens\":3}}}\n\n");
        writeSplit(out, "data: [DONE]\n\n");
    }

    private void endless(OutputStream out) throws IOException {
        try {
            for (int i = 0; ; i++) {
                out.write(("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" w" + i + "\"}}]}\n\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                pause(20);
            }
        } catch (IOException gone) {
            endlessClosed.countDown();
        }
    }

    /** Writes a frame in three pieces, cutting wherever the bytes fall (even inside a UTF-8 character). */
    private static void writeSplit(OutputStream out, String frame) throws IOException {
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        int a = bytes.length / 3;
        int b = 2 * bytes.length / 3 + 1;
        int[] cuts = {0, a, b, bytes.length};
        for (int i = 0; i < 3; i++) {
            out.write(bytes, cuts[i], cuts[i + 1] - cuts[i]);
            out.flush();
            pause(15);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "png", "image/png", "svg", "image/svg+xml");

    private static void staticFile(HttpExchange ex, String path) throws IOException {
        try (InputStream in = ScriptedServer.class.getResourceAsStream("/META-INF/resources" + path)) {
            if (in == null || path.contains("..")) {
                json(ex, 404, "{\"error\":{\"message\":\"not found\"}}");
                return;
            }
            String ext = path.substring(path.lastIndexOf('.') + 1);
            ex.getResponseHeaders().set("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"));
            byte[] bytes = in.readAllBytes();
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
        }
    }

    private static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
