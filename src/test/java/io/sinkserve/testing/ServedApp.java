package io.sinkserve.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged app (target/quarkus-app, built by the package phase before failsafe's integration tests) run
 * through the ./sinkserve launcher as a child process, as a user runs it.
 */
public final class ServedApp implements AutoCloseable {
    private static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");

    private final Process process;
    private final Path log;
    private final int port;

    private ServedApp(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code ./sinkserve ARGS} with the given extra environment; the output goes to a file. */
    public static ServedApp start(int port, Map<String, String> env, String... args) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new AssertionError(JAR + " is missing: integration tests run after the package phase (./sinkserve test)");
        }
        List<String> command = new ArrayList<>(List.of("./sinkserve"));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("sinkserve-app", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SINKSERVE_APP", JAR.toAbsolutePath().toString());
        pb.environment().putAll(env);
        return new ServedApp(pb.start(), log, port);
    }

    /** A port nothing listens on at the moment. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Waits until /q/health/ready answers 200 (the model loaded and warmed), or fails with the app's output. */
    public ServedApp awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the app exited with " + process.exitValue() + ":\n" + output());
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri("/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return this;
                }
            } catch (IOException notListeningYet) {
                // the port opens a few seconds after the JVM starts
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the app was not ready on port " + port + " after " + timeout + ":\n" + output());
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the app still runs after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    /** A graceful stop, as Kubernetes does it (SIGTERM), waiting for the process to end; {@link #output} stays readable. */
    public void stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the app did not stop within " + timeout + " of SIGTERM:\n" + output());
        }
    }

    /** Everything the app printed, less the JVM's own notice that the Vector API is an incubator module. */
    public String output() {
        try {
            return String.join("\n", Files.readAllLines(log).stream()
                    .filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList());
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        Files.deleteIfExists(log);
    }
}
