package io.sinkserve.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level command: lists the subcommands; each lives in its own class. */
@Command(name = "sinkserve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "CPU LLM server with a StreamingLLM KV cache (attention sinks + rolling window).",
        subcommands = {
                ServeCommand.class,
                GenerateCommand.class,
                PerplexityCommand.class,
                AttentionStatsCommand.class,
                CacheBenchCommand.class,
                BenchCommand.class,
                ServeBenchCommand.class,
                PlotCommand.class,
                InfoCommand.class,
                SynthCommand.class,
                TokenizeCommand.class,
                PullCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class SinkserveCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The command tree with its one-line error handling, as Main runs it. */
    public static CommandLine commandLine() {
        return new CommandLine(new SinkserveCommand())
                .setExecutionExceptionHandler(new CliErrorHandler());
    }
}
