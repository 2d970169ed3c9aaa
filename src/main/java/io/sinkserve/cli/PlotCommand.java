package io.sinkserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.bench.LinePlot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code plot}: per-segment perplexity curves of perplexity runs (e.g. bench/cache-eval.json) as a PNG. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = {"Plot per-segment perplexity of several runs to a PNG.",
                "Input: JSON {\"runs\":[{\"label\":..,\"segment\":1024,\"segments\":[..]},..]}, as written by bench/cache-eval.sh."})
public final class PlotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--in", required = true, description = "JSON file with the runs")
    Path in;

    @Option(names = "--out", required = true, description = "PNG to write")
    Path out;

    @Option(names = "--title", defaultValue = "Perplexity per segment", description = "chart title (default: ${DEFAULT-VALUE})")
    String title;

    @Option(names = "--log-y", description = "logarithmic y axis (when some runs blow up)")
    boolean logY;

    @Option(names = "--width", defaultValue = "1000")
    int width;

    @Option(names = "--height", defaultValue = "600")
    int height;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        JsonNode runs = new ObjectMapper().readTree(in.toFile()).path("runs");
        if (!runs.isArray() || runs.isEmpty()) {
            throw new IllegalArgumentException(in + ": expected a non-empty \"runs\" array");
        }
        LinePlot plot = new LinePlot(title, "tokens into the stream", "perplexity", logY);
        for (JsonNode run : runs) {
            JsonNode segments = run.path("segments");
            int segment = run.path("segment").asInt(1024);
            double[] x = new double[segments.size()];
            double[] y = new double[segments.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (i + 1) * (double) segment;
                y[i] = segments.get(i).asDouble();
            }
            plot.add(new LinePlot.Series(run.path("label").asText(run.path("mode").asText("run")), x, y));
        }
        plot.writePng(out, width, height);
        err().println("wrote " + out);
        return 0;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
