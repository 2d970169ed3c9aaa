package io.sinkserve.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code serve}: runs the HTTP service. Options are Quarkus configuration keys
 * ({@code -Dsinkserve.model=...}) or environment variables, listed in README.md (Configuration).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the HTTP service (OpenAI-compatible API, sessions, metrics).",
                "Configure with -Dkey=value JVM options (SINKSERVE_JAVA_OPTS) or environment variables (SINKSERVE_MODEL,",
                "SINKSERVE_LIMITS_MAX_RUNNING, ...); every key is listed in README.md (Configuration)."})
public final class ServeCommand implements Runnable {
    @Override
    public void run() {
        // Reached only through --help/--version parsing; Main boots Quarkus for real runs.
    }

    /** Handles --help/--version; returns true when the server should start. */
    static boolean handle(String[] args) {
        CommandLine cl = new CommandLine(new ServeCommand());
        CommandLine.ParseResult pr = cl.parseArgs(args.length == 0 ? args : filterHelp(args));
        if (CommandLine.printHelpIfRequested(pr)) {
            return false;
        }
        return true;
    }

    private static String[] filterHelp(String[] args) {
        return java.util.Arrays.stream(args).filter(a -> a.equals("-h") || a.equals("--help")
                || a.equals("-V") || a.equals("--version")).toArray(String[]::new);
    }
}
