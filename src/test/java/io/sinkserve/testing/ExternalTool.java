package io.sinkserve.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A program from the machine (promtool, Debian's python3) that a test runs to its end, with its output. */
public final class ExternalTool {
    public record Result(int exitCode, String output) {
    }

    private ExternalTool() {
    }

    /**
     * The executable, or the test is skipped saying how to get it; where SINKSERVE_REQUIRE_TOOLS is set (.ci/run,
     * which installs every such tool) a missing one fails the test instead.
     */
    public static Path require(String name, String howToGet) {
        Path p = find(name);
        requirePresent(p != null, name + " is not installed (" + howToGet + ")");
        return p;
    }

    /** Skips the test (fails it under .ci/run) when a tool the test needs is absent. */
    public static void requirePresent(boolean present, String whatIsMissing) {
        String message = whatIsMissing + "; .ci/run installs it";
        if (!present && System.getenv("SINKSERVE_REQUIRE_TOOLS") != null) {
            throw new AssertionError(message);
        }
        Assumptions.assumeTrue(present, message);
    }

    /** The executable's path (a name looked up on PATH, or an absolute path) when it exists, else null. */
    public static Path find(String name) {
        if (name.startsWith("/")) {
            return Files.isExecutable(Path.of(name)) ? Path.of(name) : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs the command with stdin as its input; stdout and stderr together are the output. */
    public static Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output unreadable: " + e.getMessage() + ")";
            }
        });
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out.join());
    }
}
