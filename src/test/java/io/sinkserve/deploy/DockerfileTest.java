package io.sinkserve.deploy;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The image runs the same launcher, JVM flags and health endpoint as everything else; no Docker engine needed. */
class DockerfileTest {
    private record Instruction(String keyword, String args) {
    }

    private final List<Instruction> dockerfile = parse(Path.of("Dockerfile"));

    @Test
    void theEntrypointIsTheLauncherServing() {
        assertEquals("[\"/app/sinkserve\"]", arg("ENTRYPOINT"));
        assertEquals("[\"serve\"]", arg("CMD"));
        assertTrue(copies().contains("sinkserve /app/sinkserve"), "the repo's launcher is copied to /app/sinkserve");
    }

    @Test
    void theLauncherRunsThePackagedJarWithThePomsJvmFlags() throws IOException {
        String env = all("ENV");
        Matcher app = Pattern.compile("SINKSERVE_APP=(\\S+)").matcher(env);
        assertTrue(app.find(), "SINKSERVE_APP is set, so the launcher never rebuilds");
        String jar = app.group(1);
        assertTrue(copies().stream().anyMatch(c -> c.endsWith("/quarkus-run.jar " + jar)), "quarkus-run.jar is copied to " + jar);

        String launcher = Files.readString(Path.of("sinkserve"));
        Matcher flags = Pattern.compile("JVM_FLAGS=\\(([^)]*)\\)").matcher(launcher);
        assertTrue(flags.find());
        List<String> launcherFlags = Arrays.asList(flags.group(1).trim().split("\\s+"));
        Matcher pom = Pattern.compile("<sinkserve.jvm.flags>([^<]*)</sinkserve.jvm.flags>").matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(pom.find());
        for (String flag : pom.group(1).trim().split("\\s+")) {
            assertTrue(launcherFlags.contains(flag), "launcher lacks the pom's JVM flag " + flag);
        }
        assertTrue(launcher.contains("${SINKSERVE_JAVA_OPTS:-}"), "launcher passes SINKSERVE_JAVA_OPTS");
        assertTrue(launcher.contains("SINKSERVE_APP:-"), "launcher honours SINKSERVE_APP");
    }

    @Test
    void buildsWithTheWrapperOnJdk25AndRunsOnJre25AsNonRoot() {
        List<String> from = dockerfile.stream().filter(i -> i.keyword().equals("FROM")).map(Instruction::args).toList();
        assertEquals(2, from.size(), "multi-stage: " + from);
        assertTrue(from.get(0).matches("eclipse-temurin:25-jdk AS build"), from.get(0));
        assertEquals("eclipse-temurin:25-jre", from.get(1));
        assertTrue(all("RUN").contains("./mvnw"), "built with the Maven wrapper");
        String user = arg("USER");
        assertTrue(user.matches("[1-9][0-9]*"), "numeric non-root user, got " + user);
    }

    @Test
    void theModelStoreIsAVolumeTheLauncherIsToldAbout() {
        assertTrue(all("ENV").contains("SINKSERVE_MODEL_STORE=/models"));
        assertEquals("[\"/models\"]", arg("VOLUME"));
        assertTrue(copies().contains("model-store/models.json /app/model-store/models.json"),
                "the manifest sits where pull looks for it from WORKDIR " + arg("WORKDIR"));
        assertEquals("/app", arg("WORKDIR"));
    }

    @Test
    void everyCopiedSourceExistsAndIsNotDockerIgnored() throws IOException {
        List<String> ignored = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        for (String copy : copies()) {
            if (copy.startsWith("--from")) {
                continue;
            }
            String[] parts = copy.split("\\s+");
            for (int i = 0; i < parts.length - 1; i++) {
                Path src = Path.of(parts[i]);
                assertTrue(Files.exists(src), "COPY source " + src + " is missing");
                assertFalse(ignored.contains(parts[i].replaceAll("/$", "") + "/") || ignored.contains(parts[i]),
                        parts[i] + " is excluded by .dockerignore");
            }
        }
        assertTrue(ignored.contains("*.gguf"), "weights never enter the build context");
    }

    @Test
    void theImageListensOnAllInterfacesAndAllowsThatWithoutAKeyExplicitly() {
        String env = all("ENV");
        assertTrue(env.contains("QUARKUS_HTTP_HOST=0.0.0.0"), "serve binds loopback by default; a container needs 0.0.0.0");
        assertTrue(env.contains("SINKSERVE_API_ALLOW_UNAUTHENTICATED=true") || env.contains("SINKSERVE_API_KEYS="),
                "serve refuses 0.0.0.0 with no key unless allowed");
    }

    @Test
    void theHealthcheckProbesReadiness() {
        String hc = arg("HEALTHCHECK");
        assertTrue(hc.endsWith("CMD [\"/app/healthcheck.sh\"]"), hc);
        assertTrue(copies().contains("deploy/healthcheck.sh /app/healthcheck.sh"));
    }

    @Test
    void healthcheckScriptPassesOnlyWhenReadinessAnswers200() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/q/health/ready", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/q/health/down", ex -> {
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        server.start();
        try {
            String port = String.valueOf(server.getAddress().getPort());
            assertEquals(0, healthcheck(port));
            assertTrue(healthcheck(port, "/q/health/down") != 0, "503 (model not loaded) is unhealthy");
        } finally {
            server.stop(0);
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertTrue(healthcheck(String.valueOf(closed)) != 0, "nothing listening is unhealthy");
    }

    private static int healthcheck(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "deploy/healthcheck.sh"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "healthcheck hung");
        p.getInputStream().readAllBytes();
        return p.exitValue();
    }

    private List<String> copies() {
        return dockerfile.stream().filter(i -> i.keyword().equals("COPY")).map(Instruction::args).toList();
    }

    /** The one value of an instruction in the final (runtime) stage. */
    private String arg(String keyword) {
        int last = 0;
        for (int i = 0; i < dockerfile.size(); i++) {
            if (dockerfile.get(i).keyword().equals("FROM")) {
                last = i;
            }
        }
        List<String> args = dockerfile.subList(last, dockerfile.size()).stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
        assertEquals(1, args.size(), keyword + " appears " + args.size() + " times");
        return args.getFirst();
    }

    private String all(String keyword) {
        return String.join("\n", dockerfile.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList());
    }

    /** Instructions with continuation lines joined, comments dropped. */
    private static List<Instruction> parse(Path file) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        try {
            for (String line : Files.readAllLines(file)) {
                String t = line.strip();
                if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) {
                    continue;
                }
                current.append(t.endsWith("\\") ? t.substring(0, t.length() - 1) : t).append(' ');
                if (!t.endsWith("\\")) {
                    String s = current.toString().strip().replaceAll("\\s+", " ");
                    int sp = s.indexOf(' ');
                    out.add(new Instruction(s.substring(0, sp).toUpperCase(), s.substring(sp + 1)));
                    current.setLength(0);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
