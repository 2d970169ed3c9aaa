package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.sinkserve.testing.ExternalTool;
import io.sinkserve.testing.MetricNames;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /q/metrics is valid Prometheus text exposition, checked with real parsers rather than string matching:
 * promtool's linter (the Go parser Prometheus itself uses) and the prometheus_client Python library's parser.
 * Both come from Debian packages that .ci/run installs.
 */
@QuarkusTest
class MetricsExpositionTest extends ServiceTestBase {
    /**
     * promtool exits 1 when the page does not parse and 3 when it only has style findings; Micrometer's and
     * Quarkus's own meter names have some ("no help text" on counters, a gauge ending in _count), ours must not.
     */
    @Test
    void promtoolParsesThePageAndFindsNothingWrongWithOurHistograms() throws Exception {
        Path promtool = ExternalTool.require("promtool", "Debian package prometheus");
        ExternalTool.Result lint = ExternalTool.run(List.of(promtool.toString(), "check", "metrics"), metricsAfterARequest());
        assertTrue(lint.exitCode() == 0 || lint.exitCode() == 3, "promtool check metrics cannot parse /q/metrics:\n" + lint.output());
        for (String finding : lint.output().lines().toList()) {
            String metric = finding.split(" ", 2)[0];
            assertFalse(finding.contains("quantile") || MetricNames.HISTOGRAMS.stream().anyMatch(metric::startsWith),
                    "promtool: " + finding);
        }
    }

    @Test
    void everyHistogramHasBucketsSumAndCountAndNoQuantiles() throws Exception {
        // Debian's python3, where the python3-prometheus-client package installs the parser.
        Path python = ExternalTool.require("/usr/bin/python3", "Debian package python3");
        ExternalTool.requirePresent(ExternalTool.run(List.of(python.toString(), "-c", "import prometheus_client"), "").exitCode() == 0,
                "the prometheus_client parser is not installed (Debian package python3-prometheus-client)");
        ExternalTool.Result parsed = ExternalTool.run(List.of(python.toString(),
                Path.of("src/test/resources/prometheus/families.py").toString()), metricsAfterARequest());
        assertEquals(0, parsed.exitCode(), "prometheus_client cannot parse /q/metrics:\n" + parsed.output());

        List<String> histograms = new ArrayList<>();
        for (JsonNode family : new ObjectMapper().readTree(parsed.output())) {
            if (!family.path("type").asText().equals("histogram")) {
                continue;
            }
            String name = family.path("name").asText();
            histograms.add(name);
            Set<String> les = new HashSet<>();
            Set<String> series = new HashSet<>();
            for (JsonNode sample : family.path("samples")) {
                series.add(sample.path("name").asText());
                assertFalse(sample.path("labels").has("quantile"), name + " carries a quantile sample: " + sample);
                if (sample.path("name").asText().equals(name + "_bucket")) {
                    les.add(sample.at("/labels/le").asText());
                }
            }
            assertTrue(les.contains("+Inf") && les.size() > 1, name + " has no buckets: le=" + les);
            assertTrue(series.contains(name + "_sum") && series.contains(name + "_count"), name + " lacks _sum/_count: " + series);
        }
        assertTrue(histograms.containsAll(MetricNames.HISTOGRAMS), "histogram families parsed: " + histograms);
    }

    private String metricsAfterARequest() throws Exception {
        assertEquals(200, http.post("/v1/chat/completions", Http.chat("Hi", 4, 1, true, "")).statusCode());
        return http.get("/q/metrics").body();
    }
}
