package io.sinkserve.api;

import io.sinkserve.testing.ServedApp;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged app run as a child process on a free port with these settings ({@code --config KEY=VALUE}), for
 * tests that need a real stop and start, with a client for its port. Its output goes to a log the test reads.
 */
final class PackagedApp implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

    private final ServedApp app;
    private final Http http;

    private PackagedApp(ServedApp app) {
        this.app = app;
        this.http = new Http(app.uri("/"));
    }

    /** Starts the app with these KEY=VALUE settings and waits until readiness is UP. */
    static PackagedApp start(Path log, List<String> settings) throws IOException, InterruptedException {
        int port = ServedApp.freePort();
        List<String> args = new ArrayList<>(List.of("serve", "--port", String.valueOf(port)));
        settings.forEach(s -> args.addAll(List.of("--config", s)));
        ServedApp app = ServedApp.start(log, port, Map.of("SINKSERVE_JAVA_OPTS", "-Xmx512m"), args.toArray(String[]::new));
        try {
            app.awaitReady(READY_TIMEOUT);
        } catch (AssertionError e) {
            app.close();
            throw e;
        }
        return new PackagedApp(app);
    }

    Http http() {
        return http;
    }

    String log() {
        return app.output();
    }

    /** A graceful stop (SIGTERM, as Kubernetes sends): waits for the process to end. */
    void stop() throws InterruptedException {
        app.stop(Duration.ofSeconds(90));
    }

    @Override
    public void close() throws InterruptedException, IOException {
        app.close();
    }
}
