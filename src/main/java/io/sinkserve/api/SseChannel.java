package io.sinkserve.api;

import io.sinkserve.session.Turn;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A Server-Sent Events response written byte for byte: frames {@code data: <json>\n\n} (optionally with an
 * {@code event:} line), {@code : ping} comments while the stream is silent (a long prefill or a queue),
 * and the proxy headers that keep buffering out of the way. Nothing is sent before {@link #open} or the
 * first frame, so a request can still fail with a plain JSON error until then. When the connection's write
 * queue is full (the client reads slower than we generate) the turn is paused until it drains, so a client that
 * reads nothing costs a bounded buffer, not the whole generation. Safe from any thread.
 */
final class SseChannel {
    private static final Buffer PING = Buffer.buffer(": ping\n\n");

    private final HttpServerResponse response;
    private final Vertx vertx;
    private final long pingMillis;
    private final String sessionId;
    private Turn turn;
    private long pingTimer = -1;
    private long lastWriteNanos;
    private boolean started;
    private boolean ended;

    SseChannel(HttpServerResponse response, Vertx vertx, Duration pingInterval, String sessionId) {
        this.response = response;
        this.vertx = vertx;
        this.pingMillis = Math.max(1, pingInterval.toMillis());
        this.sessionId = sessionId;
    }

    /** The turn to pause while the client cannot take more. */
    synchronized void flowControl(Turn t) {
        turn = t;
    }

    /** Sends the status and headers now, before the first token. */
    synchronized void open() {
        write(Buffer.buffer(0));
    }

    void data(String json) {
        write(Buffer.buffer("data: " + json + "\n\n", StandardCharsets.UTF_8.name()));
    }

    void event(String name, String json) {
        write(Buffer.buffer("event: " + name + "\ndata: " + json + "\n\n", StandardCharsets.UTF_8.name()));
    }

    /** Ends the stream, optionally with OpenAI's {@code data: [DONE]} terminator. */
    synchronized void end(boolean done) {
        if (ended) {
            return;
        }
        start();
        ended = true;
        vertx.cancelTimer(pingTimer);
        if (!response.closed() && !response.ended()) {
            response.end(done ? Buffer.buffer("data: [DONE]\n\n") : Buffer.buffer(0));
        }
    }

    /** Drops the connection at once (the client stopped reading; nothing more will reach it). */
    synchronized void abort() {
        if (ended) {
            return;
        }
        ended = true;
        vertx.cancelTimer(pingTimer);
        if (!response.closed()) {
            response.reset();
        }
    }

    private synchronized void write(Buffer b) {
        if (ended || response.closed() || response.ended()) {
            return;
        }
        start();
        lastWriteNanos = System.nanoTime();
        response.write(b);
        if (turn != null && response.writeQueueFull()) {
            turn.pause();
            if (!response.writeQueueFull()) {   // drained meanwhile: the drain handler may have run already
                turn.resume();
            }
        }
    }

    private synchronized void drained() {
        if (turn != null) {
            turn.resume();
        }
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        if (sessionId != null) {
            response.putHeader(CompletionHandler.SESSION_HEADER, sessionId);
        }
        response.drainHandler(v -> drained());
        pingTimer = vertx.setPeriodic(pingMillis, id -> ping());
    }

    private synchronized void ping() {
        if (System.nanoTime() - lastWriteNanos >= pingMillis * 1_000_000L) {
            write(PING);
        }
    }
}
