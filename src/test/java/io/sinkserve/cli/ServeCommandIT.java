package io.sinkserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.testing.ServedApp;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./sinkserve serve} of the packaged app, run as a child process the way a user runs it. */
class ServeCommandIT {
    private static final Duration START = Duration.ofMinutes(3);

    @Test
    void servesTheModelGivenOnTheCommandLineOnThePortGiven() throws Exception {
        int port = ServedApp.freePort();
        // The environment names another model and port: the flags must win.
        Map<String, String> env = Map.of("SINKSERVE_MODEL", "no/such/model.gguf", "QUARKUS_HTTP_PORT", String.valueOf(ServedApp.freePort()));
        String model = TestFiles.stories260K().toString();
        try (ServedApp app = ServedApp.start(port, env, "serve", "--model", model, "--model-name", "tiny-stories",
                "--port", String.valueOf(port)).awaitReady(START)) {
            HttpClient client = HttpClient.newHttpClient();
            JsonNode models = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(app.uri("/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("tiny-stories", models.at("/data/0/id").asText());
            HttpResponse<String> chat = client.send(HttpRequest.newBuilder(app.uri("/v1/chat/completions"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"tiny-stories\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, chat.statusCode(), chat.body());
            assertTrue(app.output().contains("serving " + model + " as 'tiny-stories'"), app.output());
            assertTrue(app.output().contains("Listening on: http://127.0.0.1:" + port), "binds loopback by default:\n" + app.output());
        }
    }

    @Test
    void refusalsExitAtOnceWithOneLineAndNothingListens() throws Exception {
        String model = TestFiles.stories260K().toString();
        for (List<String> args : List.of(List.of("--bogus"), List.of("--model", "no/such/model.gguf"),
                List.of("--model", model, "--policy", "fifo"), List.of("--model", model, "--host", "0.0.0.0"))) {
            int port = ServedApp.freePort();
            List<String> line = new java.util.ArrayList<>(List.of("serve", "--port", String.valueOf(port)));
            line.addAll(args);
            try (ServedApp app = ServedApp.start(port, Map.of(), line.toArray(String[]::new))) {
                int exit = app.awaitExit(Duration.ofSeconds(60));
                assertTrue(exit != 0, args + " exited 0");
                List<String> out = app.output().lines().toList();
                assertEquals(1, out.size(), args + " printed:\n" + app.output());
                assertTrue(out.getFirst().startsWith("sinkserve serve: "), out.getFirst());
                assertFalse(listening(port), args + " left something on port " + port);
            }
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
