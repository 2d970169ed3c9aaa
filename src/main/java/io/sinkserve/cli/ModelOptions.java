package io.sinkserve.cli;

import io.sinkserve.model.Model;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** --model and --threads, shared by the commands that run a model. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, description = "GGUF model file")
    Path model;

    @Option(names = {"-t", "--threads"}, defaultValue = "0",
            description = "compute threads (default: all available cores)")
    int threads;

    Model load() {
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("model file not found: " + model);
        }
        return Model.load(model, threads());
    }

    /** The compute threads a model loaded with these options gets. */
    int threads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
