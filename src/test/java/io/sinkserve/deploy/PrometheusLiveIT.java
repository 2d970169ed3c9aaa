package io.sinkserve.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sinkserve.testing.ExternalTool;
import io.sinkserve.testing.ServedApp;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Prometheus (the Debian package .ci/run installs) on loopback, with the project's own scrape config and
 * rules pointed at the packaged app: promtool checks them, Prometheus scrapes the live server, and every PromQL
 * expression of the Grafana dashboard and of the prometheus-adapter rules behind the HPA must return data.
 */
class PrometheusLiveIT {
    private static final Path CONFIG = Path.of("deploy/prometheus/prometheus.yml");
    private static final Path DASHBOARD = Path.of("deploy/grafana/dashboards/sinkserve.json");
    private static final Path ADAPTER = Path.of("k8s/prometheus-adapter/values.yaml");
    private static final Path HPA = Path.of("k8s/base/hpa.yaml");
    /** What Grafana puts for $__rate_interval at this scrape interval and more: two scrapes after the requests fit. */
    private static final String RATE_INTERVAL = "1m";
    /** The labels the Prometheus Operator adds from a ServiceMonitor in k8s, which the adapter's rules select on. */
    private static final Map<String, String> POD_LABELS = Map.of("namespace", "sinkserve", "pod", "sinkserve-0");
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everyDashboardAndAutoscalingQueryReturnsDataFromTheLiveServer(@TempDir Path dir) throws Exception {
        Path prometheus = ExternalTool.require("prometheus", "Debian package prometheus");
        Path promtool = ExternalTool.require("promtool", "Debian package prometheus");
        int appPort = ServedApp.freePort();
        try (ServedApp app = ServedApp.start(appPort, Map.of(), "serve", "--model", TestFiles.stories260K().toString(),
                "--port", String.valueOf(appPort)).awaitReady(Duration.ofMinutes(3))) {
            Path config = pointedAt(dir, "127.0.0.1:" + appPort);
            assertTool(promtool, "check", "config", config.toString());
            for (Path rules : ruleFiles(config)) {
                assertTool(promtool, "check", "rules", rules.toString());
            }
            int promPort = ServedApp.freePort();
            Process server = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                URI api = URI.create("http://127.0.0.1:" + promPort);
                await(api, "up{job=\"sinkserve\"} == 1", r -> !r.isEmpty(), "a first scrape of the app", dir);
                int requests = sendRequests(app);
                await(api, "sum(sinkserve_request_duration_seconds_count)",
                        r -> !r.isEmpty() && value(r.get(0)) >= requests, "a scrape after " + requests + " requests", dir);
                List<String> empty = new ArrayList<>();
                for (Map.Entry<String, String> q : queries().entrySet()) {
                    ArrayNode result = query(api, q.getValue());
                    boolean data = false;
                    for (JsonNode series : result) {
                        data |= !Double.isNaN(value(series));
                    }
                    if (!data) {
                        empty.add(q.getKey() + ": " + q.getValue() + " -> " + result);
                    }
                }
                assertEquals(List.of(), empty, "queries that return no data");
                assertRulesEvaluate(api, dir);
            } finally {
                server.destroy();
                if (!server.waitFor(30, TimeUnit.SECONDS)) {
                    server.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** A copy of the project's config with its target rewritten to the app under test, its rule files beside it. */
    private static Path pointedAt(Path dir, String target) throws IOException {
        ObjectNode config = (ObjectNode) Kustomize.YAML.readTree(CONFIG.toFile());
        for (JsonNode rules : config.path("rule_files")) {
            Files.copy(CONFIG.resolveSibling(rules.asText()), dir.resolve(rules.asText()));
        }
        ObjectNode job = (ObjectNode) config.at("/scrape_configs/0");
        assertEquals("sinkserve", job.path("job_name").asText());
        ObjectNode targets = (ObjectNode) job.at("/static_configs/0");
        targets.putArray("targets").add(target);
        ObjectNode labels = targets.putObject("labels");
        POD_LABELS.forEach(labels::put);
        Path copy = dir.resolve("prometheus.yml");
        Kustomize.YAML.writeValue(copy.toFile(), config);
        return copy;
    }

    private static List<Path> ruleFiles(Path config) throws IOException {
        List<Path> files = new ArrayList<>();
        Kustomize.YAML.readTree(config.toFile()).path("rule_files").forEach(f -> files.add(config.resolveSibling(f.asText())));
        assertTrue(!files.isEmpty(), "prometheus.yml loads no rule file");
        return files;
    }

    private static void assertTool(Path tool, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool.toString()));
        command.addAll(List.of(args));
        ExternalTool.Result r = ExternalTool.run(command, "");
        assertEquals(0, r.exitCode(), String.join(" ", command) + ":\n" + r.output());
    }

    /** Chat and completions, streamed and not, with and without a session: every latency histogram gets samples. */
    private int sendRequests(ServedApp app) throws Exception {
        List<String[]> requests = List.of(
                new String[] {"/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":8}"},
                new String[] {"/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell a story\"}],\"max_tokens\":8,\"stream\":true}"},
                new String[] {"/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":8}"},
                new String[] {"/v1/completions", "{\"prompt\":\"The cat\",\"max_tokens\":8,\"stream\":true}"});
        for (String[] r : requests) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(app.uri(r[0]))
                    .header("Content-Type", "application/json").header("X-Session-ID", "prometheus-it")
                    .POST(HttpRequest.BodyPublishers.ofString(r[1])).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), r[0] + ": " + response.body());
        }
        return requests.size();
    }

    /** Panel title (and position) → expression, then each adapter rule's series and metrics queries. */
    private Map<String, String> queries() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode panel : json.readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.put("dashboard '" + panel.path("title").asText() + "' #" + i++,
                        target.path("expr").asText().replace("$__rate_interval", RATE_INTERVAL));
            }
        }
        assertTrue(out.size() >= 15, "dashboard queries: " + out.size());
        String hpaMetric = Kustomize.readAll(HPA).getFirst().at("/spec/metrics/0/pods/metric/name").asText();
        boolean hpaServed = false;
        for (JsonNode rule : Kustomize.YAML.readTree(ADAPTER.toFile()).at("/rules/custom")) {
            String name = rule.at("/name/as").asText();
            hpaServed |= name.equals(hpaMetric);
            String series = rule.path("seriesQuery").asText().replaceAll("^'|'$", "");
            out.put("adapter " + name + " seriesQuery", series);
            out.put("adapter " + name + " metricsQuery", adapterQuery(rule.path("metricsQuery").asText(), series));
        }
        assertTrue(hpaServed, "no adapter rule publishes the HPA's metric " + hpaMetric);
        return out;
    }

    /** The query prometheus-adapter sends for one pod, from the rule's Go template. */
    private static String adapterQuery(String template, String seriesQuery) {
        String metric = seriesQuery.replaceAll("\\{.*", "");
        String matchers = "namespace=\"" + POD_LABELS.get("namespace") + "\",pod=~\"" + POD_LABELS.get("pod") + "\"";
        return template.replace("<<.Series>>", metric).replace("<<.LabelMatchers>>", matchers).replace("<<.GroupBy>>", "pod");
    }

    /** Every alerting rule was evaluated by Prometheus without an error. */
    private void assertRulesEvaluate(URI api, Path dir) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<String> pending;
        do {
            pending = new ArrayList<>();
            JsonNode groups = get(api, "/api/v1/rules").at("/data/groups");
            assertTrue(!groups.isEmpty(), "Prometheus loaded no rule group");
            for (JsonNode g : groups) {
                for (JsonNode rule : g.path("rules")) {
                    if (!rule.path("health").asText().equals("ok")) {
                        pending.add(rule.path("name").asText() + " " + rule.path("health").asText() + " " + rule.path("lastError").asText());
                    }
                }
            }
            if (pending.isEmpty()) {
                return;
            }
            Thread.sleep(1000);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("rules not evaluated cleanly: " + pending + "\n" + Files.readString(dir.resolve("prometheus.log")));
    }

    private void await(URI api, String promql, Predicate<ArrayNode> done, String what, Path dir) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (done.test(query(api, promql))) {
                    return;
                }
            } catch (IOException notUpYet) {
                // Prometheus opens its port a moment after it starts
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no " + what + " within " + WAIT + "; Prometheus said:\n"
                + Files.readString(dir.resolve("prometheus.log")));
    }

    private ArrayNode query(URI api, String promql) throws IOException, InterruptedException {
        JsonNode body = get(api, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertEquals("success", body.path("status").asText(), promql + ": " + body);
        return (ArrayNode) body.at("/data/result");
    }

    private JsonNode get(URI api, String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(api.resolve(pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        return json.readTree(r.body());
    }

    private static double value(JsonNode series) {
        return Double.parseDouble(series.at("/value/1").asText());
    }
}
