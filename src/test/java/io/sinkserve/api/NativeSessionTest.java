package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The native session API, and a conversation far past the model's context on one small-window session. */
@QuarkusTest
class NativeSessionTest extends ServiceTestBase {
    private static final Pattern EVICTIONS = Pattern.compile("(?m)^sinkserve_kvcache_evictions_total\\{policy=\"token\",?} ([0-9.E]+)$");

    /** The frames of a native stream: [event, data] pairs. */
    private static List<String[]> events(String body) {
        List<String[]> out = new ArrayList<>();
        for (String f : Http.frames(body)) {
            if (f.startsWith(":")) {
                continue;
            }
            String[] lines = f.split("\n");
            assertEquals(2, lines.length, f);
            assertTrue(lines[0].startsWith("event: ") && lines[1].startsWith("data: "), f);
            out.add(new String[] {lines[0].substring(7), lines[1].substring(6)});
        }
        return out;
    }

    private double evictionsMetric() throws Exception {
        Matcher m = EVICTIONS.matcher(http.get("/q/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void createTalkInspectDelete() throws Exception {
        HttpResponse<String> c = http.post("/v1/sessions",
                "{\"sinks\":4,\"window\":60,\"policy\":\"batch\",\"batch_size\":20,\"system_prompt\":\"Stories for kids.\","
                        + "\"pin_system_prompt\":true,\"sampling\":{\"temperature\":0,\"max_tokens\":8}}");
        assertEquals(201, c.statusCode(), c.body());
        JsonNode created = Http.json(c.body());
        String id = created.get("id").asText();
        assertEquals("batch", created.at("/settings/policy").asText());

        HttpResponse<String> r = http.post("/v1/sessions/" + id + "/messages", "{\"content\":\"Tell me about a dog.\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        List<String[]> events = events(r.body());
        String[] done = events.getLast();
        assertEquals("done", done[0]);
        StringBuilder text = new StringBuilder();
        for (String[] e : events.subList(0, events.size() - 1)) {
            assertEquals("delta", e[0]);
            text.append(Http.json(e[1]).get("text").asText());
        }
        JsonNode d = Http.json(done[1]);
        assertEquals(text.toString(), d.get("text").asText());
        assertEquals(8, d.at("/usage/completion_tokens").asInt(), "the session's max_tokens default");
        assertEquals("length", d.get("finish_reason").asText());
        assertTrue(d.at("/timings/ttft_ms").asDouble() > 0);
        assertTrue(d.at("/cache/tokens").asInt() > 0);

        JsonNode info = Http.json(http.get("/v1/sessions/" + id).body());
        assertEquals(1, info.get("requests").asInt());
        assertEquals(3, info.get("messages").asInt(), "system, user, assistant");
        assertEquals(4L * info.at("/cache/capacity").asLong() + 2L * ("system".length() + "Stories for kids.".length()
                        + "user".length() + "Tell me about a dog.".length() + "assistant".length() + d.get("text").asText().length()),
                info.get("heap_bytes").asLong(), "the token trail (4 bytes per cache slot) and the kept context: " + info);
        assertTrue(info.at("/cache/capacity").asInt() > 64, "the pinned system prompt widens the sink region");
        assertEquals(d.at("/cache/tokens_seen").asLong(), info.get("tokens_seen").asLong());

        HttpResponse<String> r2 = http.post("/v1/sessions/" + id + "/messages", "{\"content\":\"And a cat?\"}");
        JsonNode d2 = Http.json(events(r2.body()).getLast()[1]);
        assertTrue(d2.at("/usage/cached_tokens").asInt() > d.at("/usage/prompt_tokens").asInt(),
                "the second message reuses the first turn: " + d2);

        assertEquals(200, http.delete("/v1/sessions/" + id).statusCode());
        assertEquals(404, http.get("/v1/sessions/" + id).statusCode());
    }

    /** A seed among a session's sampling defaults makes its requests reproducible; a request's own seed wins. */
    @Test
    void sessionSeedDefaultIsApplied() throws Exception {
        String settings = "{\"sampling\":{\"temperature\":1.5,\"top_k\":0,\"top_p\":1,\"min_p\":0,\"seed\":%d,\"max_tokens\":24}}";
        String message = "{\"content\":\"Tell me a story.\"%s}";
        String a = reply(session(String.format(settings, 11)), String.format(message, ""));
        String b = reply(session(String.format(settings, 11)), String.format(message, ""));
        String c = reply(session(String.format(settings, 12)), String.format(message, ",\"seed\":11"));
        assertEquals(a, b, "two sessions with the same seed default sample the same reply");
        assertEquals(a, c, "a request's seed overrides the session's");
    }

    private String session(String body) throws Exception {
        HttpResponse<String> c = http.post("/v1/sessions", body);
        assertEquals(201, c.statusCode(), c.body());
        return Http.json(c.body()).get("id").asText();
    }

    private String reply(String session, String body) throws Exception {
        HttpResponse<String> r = http.post("/v1/sessions/" + session + "/messages", body);
        assertEquals(200, r.statusCode(), r.body());
        return Http.json(events(r.body()).getLast()[1]).get("text").asText();
    }

    @Test
    void conversationPastThreeTimesTheModelContextKeepsWorking() throws Exception {
        double evictionsBefore = evictionsMetric();
        HttpResponse<String> c = http.post("/v1/sessions", "{\"sinks\":4,\"window\":124,\"sampling\":{\"temperature\":0}}");
        String id = Http.json(c.body()).get("id").asText();
        int context = Http.json(http.get("/v1/models").body()).at("/data/0/context_length").asInt();
        List<String> lines = Files.readAllLines(TestFiles.data("tinystories_valid_head.txt")).stream()
                .filter(l -> !l.isBlank()).toList();
        long seen = 0;
        int turn = 0;
        int line = 0;
        while (seen <= 3L * context) {
            StringBuilder msg = new StringBuilder();
            while (msg.length() < 2400) {
                msg.append(lines.get(line++ % lines.size())).append(' ');
            }
            HttpResponse<String> r = http.post("/v1/sessions/" + id + "/messages",
                    "{\"content\":" + Http.quote(msg.toString()) + ",\"max_tokens\":6}");
            assertEquals(200, r.statusCode(), r.body());
            String[] done = events(r.body()).getLast();
            assertEquals("done", done[0], done[1]);
            JsonNode d = Http.json(done[1]);
            assertEquals(6, d.at("/usage/completion_tokens").asInt());
            assertTrue(d.at("/cache/tokens").asInt() <= 128, "the cache stays within sinks + window: " + d);
            if (turn > 0) {
                assertTrue(d.at("/usage/cached_tokens").asInt() > 0, "turn " + turn + " reused the session: " + d);
                assertEquals(false, d.get("rebuilt").asBoolean());
            }
            seen = d.at("/cache/tokens_seen").asLong();
            turn++;
        }
        JsonNode info = Http.json(http.get("/v1/sessions/" + id).body());
        assertTrue(info.get("tokens_seen").asLong() > 3L * context);
        assertTrue(info.at("/cache/evictions").asLong() > 3L * context - 128);
        assertEquals(0, info.get("rebuilds").asInt());
        assertTrue(evictionsMetric() - evictionsBefore >= info.at("/cache/evictions").asLong(),
                "the Prometheus eviction counter moved with the session's evictions");
    }
}
