package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class ConcurrencyTest extends ServiceTestBase {
    private String streamedText(String session, int i) throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions",
                Http.chat("Story number " + i + " about a " + (i % 2 == 0 ? "dog" : "bird"), 24, 100 + i, true, ""),
                "X-Session-ID", session);
        assertEquals(200, r.statusCode(), r.body());
        StringBuilder text = new StringBuilder();
        for (JsonNode c : Http.dataFrames(r.body())) {
            text.append(c.at("/choices/0/delta/content").asText(""));
        }
        return text.toString();
    }

    @Test
    void eightConcurrentSessionsEachGetTheirSequentialText() throws Exception {
        String run = "conc-" + System.nanoTime();
        List<String> sequential = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sequential.add(streamedText(run + "-seq-" + i, i));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> together = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                together.add(pool.submit(() -> streamedText(run + "-par-" + n, n)));
            }
            for (int i = 0; i < 8; i++) {
                assertEquals(sequential.get(i), together.get(i).get(), "session " + i);
            }
        }
    }

    @Test
    void aClientThatDisconnectsCancelsItsGeneration() throws Exception {
        double before = metric("sinkserve_requests_cancelled_total");
        HttpRequest req = HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(Http.chat("A very long story", 4000, 5, true, "")))
                .header("Content-Type", "application/json").build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (int frames = 0; frames < 3; ) {
                    String line = in.readLine();
                    if (line != null && line.startsWith("data: ")) {
                        frames++;
                    }
                }
            }
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (metric("sinkserve_requests_cancelled_total") <= before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(before + 1, metric("sinkserve_requests_cancelled_total"));
        assertEquals(0, metric("sinkserve_requests_running"));
    }

    private double metric(String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? ([0-9.E+-]+)$").matcher(http.get("/q/metrics").body());
        assertTrue(m.find(), name + " is exported");
        return Double.parseDouble(m.group(1));
    }
}
