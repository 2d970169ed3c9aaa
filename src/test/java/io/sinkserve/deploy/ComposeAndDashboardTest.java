package io.sinkserve.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.store.ModelEntry;
import io.sinkserve.store.ModelManifest;
import io.sinkserve.testing.MetricNames;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docker-compose.yml, the Prometheus scrape config and the provisioned Grafana dashboard agree with each other and the app. */
class ComposeAndDashboardTest {
    private static final Pattern DEFAULTED = Pattern.compile("\\$\\{[A-Z_]+:-([^}]*)}");

    private final JsonNode compose = read(Path.of("docker-compose.yml"));
    private final JsonNode dashboard = readJson(Path.of("deploy/grafana/dashboards/sinkserve.json"));

    @Test
    void composeRunsTheServerAfterPullingTheModelItServes() {
        JsonNode services = compose.path("services");
        for (String s : List.of("model-init", "sinkserve", "prometheus", "grafana")) {
            assertTrue(services.has(s), "service " + s);
        }
        JsonNode init = services.path("model-init");
        JsonNode server = services.path("sinkserve");
        assertEquals("service_completed_successfully", server.at("/depends_on/model-init/condition").asText());
        assertEquals(init.path("image").asText(), server.path("image").asText(), "one image for both");
        assertEquals("pull", init.at("/command/0").asText());
        assertEquals(List.of("serve"), texts(server.path("command")));

        ModelEntry model = ModelManifest.load(ModelManifest.DEFAULT_PATH).get(withDefaults(init.at("/command/1").asText()));
        assertTrue(model.isDefault(), "compose serves the manifest's default model unless told otherwise");
        assertEquals("/models/" + model.file(), withDefaults(server.at("/environment/SINKSERVE_MODEL").asText()));
        assertEquals(List.of("models:/models"), texts(init.path("volumes")));
        assertEquals(List.of("models:/models"), texts(server.path("volumes")));
        assertTrue(compose.at("/volumes").has("models"));
        assertEquals("8080:8080", server.at("/ports/0").asText());
    }

    @Test
    void everyMountedConfigFileIsInTheRepo() {
        for (String s : List.of("prometheus", "grafana")) {
            for (String mount : texts(compose.at("/services/" + s + "/volumes"))) {
                if (mount.startsWith("./")) {
                    Path host = Path.of(mount.substring(2, mount.indexOf(':')));
                    assertTrue(Files.exists(host), s + " mounts " + host + " which does not exist");
                }
            }
        }
    }

    @Test
    void everyAlertRuleIsMountedAndUsesExportedMetrics() throws IOException {
        JsonNode config = read(Path.of("deploy/prometheus/prometheus.yml"));
        assertFalse(config.path("rule_files").isEmpty(), "prometheus.yml loads the alert rules");
        for (JsonNode file : config.path("rule_files")) {
            assertTrue(texts(compose.at("/services/prometheus/volumes")).contains(
                    "./deploy/prometheus/" + file.asText() + ":/etc/prometheus/" + file.asText() + ":ro"), file + " is mounted");
            for (JsonNode group : read(Path.of("deploy/prometheus", file.asText())).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    MetricNames.mentionedIn(rule.path("expr").asText()).forEach(n -> assertTrue(MetricNames.isExported(n),
                            rule.path("alert").asText() + " uses " + n + ", which is not exported"));
                }
            }
        }
    }

    @Test
    void prometheusScrapesTheServersMetricsEndpoint() {
        JsonNode job = read(Path.of("deploy/prometheus/prometheus.yml")).at("/scrape_configs/0");
        assertEquals("/q/metrics", job.path("metrics_path").asText());
        String port = compose.at("/services/sinkserve/ports/0").asText().split(":")[1];
        assertEquals("sinkserve:" + port, job.at("/static_configs/0/targets/0").asText());
    }

    @Test
    void grafanaIsProvisionedWithTheDatasourceAndDashboardThePanelsUse() {
        JsonNode ds = read(Path.of("deploy/grafana/provisioning/datasources/prometheus.yml")).at("/datasources/0");
        assertEquals("http://prometheus:9090", ds.path("url").asText());
        assertTrue(compose.at("/services/prometheus/ports/0").asText().endsWith(":9090"));
        JsonNode provider = read(Path.of("deploy/grafana/provisioning/dashboards/sinkserve.yml")).at("/providers/0");
        String dashboardsDir = provider.at("/options/path").asText();
        assertTrue(texts(compose.at("/services/grafana/volumes")).contains("./deploy/grafana/dashboards:" + dashboardsDir + ":ro"));
        assertTrue(compose.at("/services/grafana/environment/GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText()
                .equals(dashboardsDir + "/sinkserve.json"));
        for (JsonNode panel : dashboard.path("panels")) {
            assertEquals(ds.path("uid").asText(), panel.at("/datasource/uid").asText(), panel.path("title").asText());
            assertFalse(panel.path("targets").isEmpty(), panel.path("title") + " has no query");
        }
    }

    @Test
    void everyDashboardQueryUsesExportedMetrics() {
        List<String> exprs = expressions();
        assertTrue(exprs.size() >= 15, "queries: " + exprs.size());
        for (String expr : exprs) {
            Set<String> names = MetricNames.mentionedIn(expr);
            assertFalse(names.isEmpty(), "query without a sinkserve metric: " + expr);
            names.forEach(n -> assertTrue(MetricNames.isExported(n), n + " is not exported, in " + expr));
        }
    }

    @Test
    void theDashboardCoversCacheSessionsThroughputAndLatency() {
        Set<String> used = new HashSet<>();
        expressions().forEach(e -> used.addAll(MetricNames.mentionedIn(e)));
        for (String needed : List.of("sinkserve_kvcache_evictions_total", "sinkserve_kvcache_evicted_tokens_total",
                "sinkserve_kvcache_bytes", "sinkserve_kvcache_usage_ratio", "sinkserve_sessions_active",
                "sinkserve_generated_tokens_total", "sinkserve_requests_running", "sinkserve_requests_waiting",
                "sinkserve_time_to_first_token_seconds_bucket", "sinkserve_inter_token_latency_seconds_bucket")) {
            assertTrue(used.contains(needed), "no panel shows " + needed);
        }
        for (String latency : List.of("sinkserve_time_to_first_token_seconds_bucket", "sinkserve_inter_token_latency_seconds_bucket")) {
            for (String q : List.of("0.5", "0.95", "0.99")) {
                assertTrue(expressions().stream().anyMatch(e -> e.startsWith("histogram_quantile(" + q + ",") && e.contains(latency)),
                        "p" + q + " of " + latency);
            }
        }
    }

    @Test
    void panelsDoNotOverlap() {
        List<int[]> boxes = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            JsonNode g = p.path("gridPos");
            int[] b = {g.path("x").asInt(), g.path("y").asInt(), g.path("w").asInt(), g.path("h").asInt()};
            assertTrue(b[0] + b[2] <= 24, p.path("title") + " is wider than the grid");
            for (int[] o : boxes) {
                boolean apart = b[0] >= o[0] + o[2] || o[0] >= b[0] + b[2] || b[1] >= o[1] + o[3] || o[1] >= b[1] + b[3];
                assertTrue(apart, p.path("title") + " overlaps another panel");
            }
            boxes.add(b);
        }
    }

    private List<String> expressions() {
        List<String> out = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> out.add(t.path("expr").asText())));
        return out;
    }

    /** Resolves compose's ${VAR:-default} to the default, as compose does when VAR is unset. */
    private static String withDefaults(String s) {
        Matcher m = DEFAULTED.matcher(s);
        return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1)));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode read(Path p) {
        try {
            return Kustomize.YAML.readTree(p.toFile());
        } catch (IOException e) {
            throw new AssertionError(p + " does not parse: " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(Path p) {
        try {
            return new ObjectMapper().readTree(p.toFile());
        } catch (IOException e) {
            throw new AssertionError(p + " does not parse: " + e.getMessage(), e);
        }
    }
}
