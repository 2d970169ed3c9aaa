package io.sinkserve.api;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged app ({@code target/quarkus-app/quarkus-run.jar}, built by the package phase) run as a child JVM on a
 * free port, for tests that need a real stop and start. Its output goes to a log file the test can read.
 */
final class PackagedApp implements AutoCloseable {
    private static final Path JAR = Path.of(System.getProperty("sinkserve.app", "target/quarkus-app/quarkus-run.jar"));
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final Process process;
    private final Path log;
    private final Http http;

    private PackagedApp(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.http = new Http(URI.create("http://127.0.0.1:" + port + "/"));
    }

    /** Starts the app with these {@code -D} settings and waits until readiness is UP. */
    static PackagedApp start(Path log, List<String> settings) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run through ./sinkserve test (mvn verify), which packages first");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1"));
        settings.forEach(s -> cmd.add("-D" + s));
        cmd.addAll(List.of("-jar", JAR.toString(), "serve"));
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PackagedApp app = new PackagedApp(p, log, port);
        app.awaitReady();
        return app;
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the app exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (http.get("/q/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // the HTTP port opens a moment after the JVM starts
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("the app was not ready within " + READY_TIMEOUT + ":\n" + log());
    }

    Http http() {
        return http;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** A graceful stop (SIGTERM, as Kubernetes sends): waits for the process to end. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("the app did not stop within 90 s of SIGTERM");
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }
}
