package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.sinkserve.persist.ModelIdentity;
import io.sinkserve.testing.ServedApp;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions survive a real restart of the packaged app (SIGTERM, start again on the same persist dir): they continue
 * with only the new tokens prefilled and sample exactly what an uninterrupted session samples, while truncated,
 * mutated and foreign snapshot files are skipped with one log line each and counted, and the server still starts.
 */
class SessionRestartIT {
    private static final String AUTH = "Authorization";
    private static final Path WORK = Path.of("target", "session-restart-it");

    private static final Duration READY = Duration.ofSeconds(120);

    /** The packaged app, as a user starts it, persisting sessions to {@code dir}. */
    private static ServedApp start(Path dir) throws Exception {
        int port = ServedApp.freePort();
        return ServedApp.start(port, Map.of(), "serve", "--model", TestFiles.stories260K().toAbsolutePath().toString(),
                "--port", String.valueOf(port), "-t", "1", "--window", "60", "--api-key", "key-a", "--api-key", "key-b",
                "--config", "sinkserve.sessions.persist-dir=" + dir.toAbsolutePath()).awaitReady(READY);
    }

    private static Http http(ServedApp app) {
        return new Http(app.uri("/"));
    }

    private static String turn1() {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"max_tokens\":24,\"seed\":5}";
    }

    private static String turn2(String reply) {
        return "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"},"
                + "{\"role\":\"assistant\",\"content\":" + Http.quote(reply) + "},"
                + "{\"role\":\"user\",\"content\":\"And then the cat?\"}],\"max_tokens\":24,\"seed\":5}";
    }

    private static JsonNode chat(Http http, String session, String body) throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", body, AUTH, "Bearer key-a", "X-Session-ID", session);
        assertEquals(200, r.statusCode(), r.body());
        return Http.json(r.body());
    }

    /** A chat turn with no session id, as most front-ends send it; the answer's X-Session-ID names the implicit session. */
    private static HttpResponse<String> implicitChat(Http http, String body) throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", body, AUTH, "Bearer key-b");
        assertEquals(200, r.statusCode(), r.body());
        return r;
    }

    private static JsonNode nativeMessage(Http http, String id, String content) throws Exception {
        HttpResponse<String> r = http.post("/v1/sessions/" + id + "/messages",
                "{\"content\":" + Http.quote(content) + ",\"max_tokens\":12,\"seed\":9}", AUTH, "Bearer key-a");
        assertEquals(200, r.statusCode(), r.body());
        String body = r.body();
        String done = body.substring(body.lastIndexOf("data: ") + 6).strip();
        return Http.json(done);
    }

    @Test
    void sessionsContinueAfterARestartAndBadSnapshotsAreSkipped() throws Exception {
        Path dir = WORK.resolve("sessions");
        deleteRecursively(WORK);
        JsonNode uninterrupted;
        String reply;
        String nativeId;
        JsonNode native1;
        String implicitId;
        String implicitReply;
        try (ServedApp app = start(dir)) {
            Http http = http(app);
            reply = chat(http, "reference", turn1()).at("/choices/0/message/content").asText();
            assertEquals(reply, chat(http, "restarted", turn1()).at("/choices/0/message/content").asText(),
                    "same seed, same first turn");
            uninterrupted = chat(http, "reference", turn2(reply));
            HttpResponse<String> created = http.post("/v1/sessions", "{\"system_prompt\":\"You tell short stories.\"}",
                    AUTH, "Bearer key-a");
            assertEquals(201, created.statusCode(), created.body());
            nativeId = Http.json(created.body()).get("id").asText();
            native1 = nativeMessage(http, nativeId, "A story about a dog.");
            HttpResponse<String> implicit1 = implicitChat(http, turn1());
            implicitId = implicit1.headers().firstValue("X-Session-ID").orElseThrow();
            implicitReply = Http.json(implicit1.body()).at("/choices/0/message/content").asText();
            app.stop(Duration.ofSeconds(90));
            assertTrue(app.output().contains("shutdown: 4 of 4 sessions written to"), app.output());
        }
        List<Path> written = snapshots(dir);
        assertEquals(4, written.size(), written.toString());
        byte[] sample = Files.readAllBytes(written.getFirst());
        Files.write(dir.resolve("truncated.session"), Arrays.copyOf(sample, sample.length / 2));
        byte[] mutated = sample.clone();
        mutated[sample.length / 3] ^= 0x10;
        Files.write(dir.resolve("mutated.session"), mutated);
        Files.write(dir.resolve("foreign.session"), forModel(sample, ModelIdentity.of(TestFiles.model("stories260K-ggufv1-f32.gguf"))));

        try (ServedApp app = start(dir)) {
            Http http = http(app);
            JsonNode resumed = chat(http, "restarted", turn2(reply));
            assertEquals(uninterrupted.at("/choices/0/message/content").asText(), resumed.at("/choices/0/message/content").asText(),
                    "the restored session samples what the uninterrupted one did");
            int cached = resumed.at("/usage/prompt_tokens_details/cached_tokens").asInt();
            assertTrue(cached > 0, "the restored cache was reused: " + resumed.get("usage"));
            assertEquals(uninterrupted.get("usage"), resumed.get("usage"), "only the new tokens were prefilled, as without the restart");

            JsonNode info = Http.json(http.get("/v1/sessions/" + nativeId, AUTH, "Bearer key-a").body());
            assertEquals(1, info.get("requests").asInt(), info.toString());
            assertEquals(3, info.get("messages").asInt(), "system, user, assistant: " + info);
            JsonNode native2 = nativeMessage(http, nativeId, "And a cat?");
            assertTrue(native2.at("/usage/cached_tokens").asInt() > native1.at("/usage/prompt_tokens").asInt(),
                    "the native session's second message reuses the first turn after the restart: " + native2);
            assertEquals(404, http.get("/v1/sessions/restarted", AUTH, "Bearer key-b").statusCode(),
                    "a restored session belongs to its own key only");
            HttpResponse<String> implicit2 = implicitChat(http, turn2(implicitReply));
            assertEquals(implicitId, implicit2.headers().firstValue("X-Session-ID").orElse(null),
                    "a follow-up with no session id finds the restored implicit session");
            assertTrue(Http.json(implicit2.body()).at("/usage/prompt_tokens_details/cached_tokens").asInt() > 0,
                    "and reuses its cache: " + implicit2.body());

            String log = app.output();
            assertEquals(2, count(log, "session snapshot .*skipped \\(corrupt\\)"), log);
            assertEquals(1, count(log, "session snapshot .*foreign\\.session skipped \\(model\\): written for another model file"), log);
            assertTrue(log.contains("sessions: 4 restored from"), log);
            String metrics = http.get("/q/metrics").body();
            assertEquals(4.0, metric(metrics, "sinkserve_sessions_restored_total"), metrics);
            assertEquals(2.0, metric(metrics, "sinkserve_session_snapshots_skipped_total{reason=\"corrupt\"}"));
            assertEquals(1.0, metric(metrics, "sinkserve_session_snapshots_skipped_total{reason=\"model\"}"));
            assertTrue(Files.exists(dir.resolve("truncated.session.rejected")));
            assertTrue(Files.exists(dir.resolve("mutated.session.rejected")));

            assertEquals(200, http.delete("/v1/sessions/" + nativeId, AUTH, "Bearer key-a").statusCode());
            assertEquals(4, snapshots(dir).size(), "the deleted session's file is gone at once (3 sessions + the foreign file)");
            app.stop(Duration.ofSeconds(90));
        }
    }

    /** The same snapshot as if written for another model file: its identity fields replaced, the checksum redone. */
    private static byte[] forModel(byte[] snapshot, ModelIdentity other) {
        byte[] out = snapshot.clone();
        ByteBuffer b = ByteBuffer.wrap(out);
        b.putLong(8, other.fileSize());
        b.put(16, HexFormat.of().parseHex(other.headerSha256()));
        CRC32C crc = new CRC32C();
        crc.update(out, 0, out.length - 4);
        b.putInt(out.length - 4, (int) crc.getValue());
        return out;
    }

    private static List<Path> snapshots(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".session")).sorted().toList();
        }
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static double metric(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(series + " not in /q/metrics"));
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }
}
