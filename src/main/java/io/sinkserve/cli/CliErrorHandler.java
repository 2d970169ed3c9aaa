package io.sinkserve.cli;

import picocli.CommandLine;

/** Prints a one-line error instead of a stack trace for failures a user can act on. */
final class CliErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        cmd.getErr().println("sinkserve " + cmd.getCommandName() + ": " + message(ex));
        if (Boolean.getBoolean("sinkserve.debug")) {
            ex.printStackTrace(cmd.getErr());
        }
        return 1;
    }

    private static String message(Throwable ex) {
        String m = ex.getMessage();
        return m == null || m.isBlank() ? ex.getClass().getSimpleName() : m;
    }
}
