package io.sinkserve.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sinkserve.store.ModelEntry;
import io.sinkserve.store.ModelManifest;
import io.sinkserve.testing.MetricNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static io.sinkserve.deploy.Kustomize.only;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Validates k8s/ offline: every manifest parses, overlays resolve, and the objects agree with each other and the app. */
class KubernetesManifestsTest {
    private static final Path K8S = Path.of("k8s");
    private static final Set<String> HEALTH = Set.of("/q/health/live", "/q/health/ready", "/q/health/started");

    @Test
    void everyYamlFileParses() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(K8S)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
        }
        assertTrue(files.size() >= 15, "found " + files);
        for (Path f : files) {
            assertFalse(Kustomize.readAll(f).isEmpty(), f + " is empty");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void renderedObjectsAgreeWithEachOther(String dir) throws IOException {
        List<ObjectNode> objects = Kustomize.render(K8S.resolve(dir));
        Set<String> kinds = new HashSet<>();
        objects.forEach(o -> assertTrue(kinds.add(o.path("kind").asText() + "/" + o.at("/metadata/name").asText()), "duplicate " + o.path("kind")));

        ObjectNode deployment = only(objects, "Deployment", "sinkserve", dir);
        JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
        assertMatches(deployment.at("/spec/selector/matchLabels"), podLabels, "Deployment selector");
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode server = container(pod.path("containers"), "sinkserve");
        Set<String> podPorts = portNames(server.path("ports"));

        ObjectNode service = only(objects, "Service", "sinkserve", dir);
        assertMatches(service.at("/spec/selector"), podLabels, "Service selector");
        JsonNode servicePort = service.at("/spec/ports/0");
        assertTrue(podPorts.contains(servicePort.path("targetPort").asText()), "Service targetPort names a container port");

        assertMatches(only(objects, "PodDisruptionBudget", "sinkserve", dir).at("/spec/selector/matchLabels"), podLabels, "PDB selector");

        ObjectNode monitor = only(objects, "ServiceMonitor", "sinkserve", dir);
        assertMatches(monitor.at("/spec/selector/matchLabels"), service.at("/metadata/labels"), "ServiceMonitor selector");
        assertEquals(servicePort.path("name").asText(), monitor.at("/spec/endpoints/0/port").asText());
        assertEquals("/q/metrics", monitor.at("/spec/endpoints/0/path").asText());

        ObjectNode route = only(objects, "HTTPRoute", "sinkserve", dir);
        JsonNode backend = route.at("/spec/rules/0/backendRefs/0");
        assertEquals(service.at("/metadata/name").asText(), backend.path("name").asText());
        assertEquals(servicePort.path("port").asInt(), backend.path("port").asInt());

        ObjectNode policy = only(objects, "BackendTrafficPolicy", "sinkserve-session-affinity", dir);
        assertEquals("HTTPRoute", policy.at("/spec/targetRefs/0/kind").asText());
        assertEquals(route.at("/metadata/name").asText(), policy.at("/spec/targetRefs/0/name").asText());
        assertEquals("ConsistentHash", policy.at("/spec/loadBalancer/type").asText());
        assertEquals("Header", policy.at("/spec/loadBalancer/consistentHash/type").asText());
        assertEquals("X-Session-ID", policy.at("/spec/loadBalancer/consistentHash/header/name").asText());

        ObjectNode hpa = only(objects, "HorizontalPodAutoscaler", "sinkserve", dir);
        assertEquals("Deployment", hpa.at("/spec/scaleTargetRef/kind").asText());
        assertEquals(deployment.at("/metadata/name").asText(), hpa.at("/spec/scaleTargetRef/name").asText());
        assertTrue(hpa.at("/spec/minReplicas").asInt() <= hpa.at("/spec/maxReplicas").asInt());
        for (JsonNode metric : hpa.at("/spec/metrics")) {
            String name = metric.at("/pods/metric/name").asText();
            assertTrue(MetricNames.isExported(name), "HPA metric " + name + " is not one the app exports");
        }

        // Probes hit real health endpoints on a declared port; readiness is the one that waits for the model.
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            JsonNode get = server.path(probe).path("httpGet");
            assertTrue(HEALTH.contains(get.path("path").asText()), probe + " path " + get.path("path"));
            assertTrue(podPorts.contains(get.path("port").asText()), probe + " port");
        }
        assertEquals("/q/health/ready", server.at("/readinessProbe/httpGet/path").asText());
        long startupBudget = server.at("/startupProbe/periodSeconds").asLong() * server.at("/startupProbe/failureThreshold").asLong();
        assertTrue(startupBudget >= 300, "startup probe allows only " + startupBudget + "s for the model to load");

        ObjectNode config = only(objects, "ConfigMap", "sinkserve-config", dir);
        for (JsonNode c : List.of(server, container(pod.path("initContainers"), "pull-model"))) {
            assertEquals(config.at("/metadata/name").asText(), c.at("/envFrom/0/configMapRef/name").asText(), c.path("name") + " env");
            assertTrue(c.path("image").asText().startsWith(deployment.at("/spec/template/spec/containers/0/image").asText().split(":")[0]),
                    "init container and server run the same image");
        }
        assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean(), "pods run as non-root");
        for (JsonNode c : List.of(server, container(pod.path("initContainers"), "pull-model"))) {
            assertFalse(c.at("/securityContext/allowPrivilegeEscalation").asBoolean(true), c.path("name") + " may escalate privileges");
        }
        JsonNode env = config.path("data");
        assertEquals("0.0.0.0", env.path("QUARKUS_HTTP_HOST").asText(), dir + ": the Service reaches the pod on its pod IP");
        assertTrue(env.path("SINKSERVE_API_ALLOW_UNAUTHENTICATED").asBoolean() || env.has("SINKSERVE_API_KEYS"),
                dir + ": serve refuses a non-loopback address with no key unless allowed");
        checkModelStore(objects, pod, server, config.path("data"), dir);
        checkGracefulShutdown(pod, server, config.path("data"));
    }

    /** The init container pulls the configured model into the volume the server reads it from. */
    private static void checkModelStore(List<ObjectNode> objects, JsonNode pod, JsonNode server, JsonNode env, String dir) {
        JsonNode init = container(pod.path("initContainers"), "pull-model");
        assertEquals(List.of("pull", "$(SINKSERVE_MODEL_NAME)"), texts(init.path("args")));
        assertEquals(List.of("serve"), texts(server.path("args")));
        ModelEntry model = ModelManifest.load(ModelManifest.DEFAULT_PATH).get(env.path("SINKSERVE_MODEL_NAME").asText());
        String store = env.path("SINKSERVE_MODEL_STORE").asText();
        assertEquals(store + "/" + model.file(), env.path("SINKSERVE_MODEL").asText(), dir + ": SINKSERVE_MODEL is the pulled file");
        String claim = null;
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals("models")) {
                claim = v.at("/persistentVolumeClaim/claimName").asText();
            }
        }
        only(objects, "PersistentVolumeClaim", claim, dir);
        for (JsonNode c : List.of(init, server)) {
            assertEquals(store, c.at("/volumeMounts/0/mountPath").asText(), c.path("name") + " mounts the store");
            assertEquals("models", c.at("/volumeMounts/0/name").asText());
        }
        assertTrue(server.at("/volumeMounts/0/readOnly").asBoolean(), "the server only reads the store");
        int replicas = only(objects, "Deployment", "sinkserve", dir).at("/spec/replicas").asInt();
        int maxReplicas = only(objects, "HorizontalPodAutoscaler", "sinkserve", dir).at("/spec/maxReplicas").asInt();
        if (Math.max(replicas, maxReplicas) > 1) {
            assertEquals(List.of("ReadWriteMany"), texts(only(objects, "PersistentVolumeClaim", claim, dir).at("/spec/accessModes")),
                    dir + ": several pods share the store");
        }
    }

    /** preStop, then Quarkus' shutdown timeout, must both fit in the pod's termination grace period. */
    private static void checkGracefulShutdown(JsonNode pod, JsonNode server, JsonNode env) {
        List<String> preStop = texts(server.at("/lifecycle/preStop/exec/command"));
        assertEquals("sleep", preStop.getFirst());
        long sleep = Long.parseLong(preStop.get(1));
        long quarkus = Duration.parse("PT" + env.path("QUARKUS_SHUTDOWN_TIMEOUT").asText().toUpperCase()).toSeconds();
        long grace = pod.path("terminationGracePeriodSeconds").asLong();
        assertTrue(sleep + quarkus < grace, "preStop " + sleep + "s + shutdown " + quarkus + "s must fit in " + grace + "s");
    }

    /**
     * Where sessions are persisted, the server writes them to a volume of their own, one pod at a time (the volume is
     * ReadWriteOnce, and a surge pod would restore before the old one had written), and the grace period covers
     * preStop, the drain, the write and Quarkus' shutdown. The dev overlay persists; the others keep sessions in memory.
     */
    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/dev", "overlays/prod"})
    void persistedSessionsHaveTheirOwnVolumeAndTimeToBeWritten(String dir) throws IOException {
        List<ObjectNode> objects = Kustomize.render(K8S.resolve(dir));
        JsonNode env = only(objects, "ConfigMap", "sinkserve-config", dir).path("data");
        String persistDir = env.path("SINKSERVE_SESSIONS_PERSIST_DIR").asText(null);
        assertEquals(dir.equals("overlays/dev"), persistDir != null, dir + ": only the single-pod dev overlay persists sessions");
        if (persistDir == null) {
            return;
        }
        ObjectNode deployment = only(objects, "Deployment", "sinkserve", dir);
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode server = container(pod.path("containers"), "sinkserve");
        String volume = null;
        for (JsonNode m : server.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(persistDir)) {
                volume = m.path("name").asText();
                assertFalse(m.path("readOnly").asBoolean(), "the server writes " + persistDir);
            }
        }
        assertTrue(volume != null && !volume.equals("models"), persistDir + " is a mount of its own");
        String claim = null;
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                claim = v.at("/persistentVolumeClaim/claimName").asText();
            }
        }
        assertEquals(List.of("ReadWriteOnce"), texts(only(objects, "PersistentVolumeClaim", claim, dir).at("/spec/accessModes")));
        assertEquals(1, deployment.at("/spec/replicas").asInt());
        assertEquals(1, only(objects, "HorizontalPodAutoscaler", "sinkserve", dir).at("/spec/maxReplicas").asInt());
        assertEquals("Recreate", deployment.at("/spec/strategy/type").asText(), "the old pod writes before the new one restores");

        long preStop = Long.parseLong(texts(server.at("/lifecycle/preStop/exec/command")).get(1));
        long drain = seconds(env.path("SINKSERVE_SHUTDOWN_GRACE").asText("30s"));
        long quarkus = seconds(env.path("QUARKUS_SHUTDOWN_TIMEOUT").asText());
        long write = 30;   // the dev pod's 1 GiB memory limit at the ~38 MB/s measured (bench/RESULTS.md)
        long grace = pod.path("terminationGracePeriodSeconds").asLong();
        assertTrue(preStop + drain + write + quarkus < grace, "preStop " + preStop + "s + drain " + drain + "s + write "
                + write + "s + shutdown " + quarkus + "s must fit in " + grace + "s");
        assertTrue(seconds(env.path("SINKSERVE_SESSIONS_PERSIST_INTERVAL").asText()) > 0, "changed sessions are also written on an interval");
    }

    private static long seconds(String quarkusDuration) {
        return Duration.parse("PT" + quarkusDuration.toUpperCase()).toSeconds();
    }

    @Test
    void overlaysSetTheirOwnNamespaceAndImage() throws IOException {
        for (Map.Entry<String, String> e : Map.of("overlays/dev", "sinkserve-dev", "overlays/prod", "sinkserve").entrySet()) {
            List<ObjectNode> objects = Kustomize.render(K8S.resolve(e.getKey()));
            objects.forEach(o -> assertEquals(e.getValue(), o.at("/metadata/namespace").asText(), e.getKey()));
            String image = only(objects, "Deployment", "sinkserve", e.getKey()).at("/spec/template/spec/containers/0/image").asText();
            assertTrue(image.contains(":"), e.getKey() + " pins an image tag: " + image);
        }
    }

    @Test
    void prometheusAdapterPublishesTheMetricTheHpaUses() throws IOException {
        JsonNode values = Kustomize.YAML.readTree(K8S.resolve("prometheus-adapter/values.yaml").toFile());
        JsonNode hpa = Kustomize.readAll(K8S.resolve("base/hpa.yaml")).getFirst();
        String metric = hpa.at("/spec/metrics/0/pods/metric/name").asText();
        List<String> published = new ArrayList<>();
        for (JsonNode rule : values.at("/rules/custom")) {
            published.add(rule.at("/name/as").asText());
            MetricNames.mentionedIn(rule.path("seriesQuery").asText())
                    .forEach(m -> assertTrue(MetricNames.isExported(m), "adapter queries unknown metric " + m));
            assertEquals("pod", rule.at("/resources/overrides/pod/resource").asText());
        }
        assertTrue(published.contains(metric), "adapter rules publish " + published + ", HPA wants " + metric);
    }

    private static JsonNode container(JsonNode list, String name) {
        for (JsonNode c : list) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no container " + name);
    }

    private static Set<String> portNames(JsonNode ports) {
        Set<String> names = new HashSet<>();
        ports.forEach(p -> {
            names.add(p.path("name").asText());
            names.add(p.path("containerPort").asText());
        });
        return names;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Every selector label is on the selected object with the same value. */
    private static void assertMatches(JsonNode selector, JsonNode labels, String what) {
        assertFalse(selector.isEmpty(), what + " is empty");
        selector.properties().forEach(e -> assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(), what + " " + e.getKey()));
    }
}
