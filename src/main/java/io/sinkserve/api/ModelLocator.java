package io.sinkserve.api;

import io.sinkserve.store.ModelEntry;
import io.sinkserve.store.ModelManifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Which model to serve and under what name: the configured file, else the manifest's default entry in the
 * model store, else stories260K. A file that is a manifest entry takes the entry's name and chat template
 * unless the configuration names others.
 */
public final class ModelLocator {
    /** @param created when the model file was last written, in Unix seconds (what /v1/models reports) */
    public record ServedModel(Path path, String name, Optional<String> chatTemplate, long created) {
    }

    private ModelLocator() {
    }

    public static ServedModel locate(SinkserveConfig config) {
        Path store = config.modelStore();
        Optional<ModelManifest> manifest = Files.isRegularFile(ModelManifest.DEFAULT_PATH)
                ? Optional.of(ModelManifest.load(ModelManifest.DEFAULT_PATH)) : Optional.empty();
        Path path = config.model().orElseGet(() -> store.resolve(
                manifest.map(m -> m.defaultModel().file()).orElse("stories260K.gguf")));
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("model file not found: " + path.toAbsolutePath()
                    + " (give serve --model, or set sinkserve.model / SINKSERVE_MODEL, or run ./sinkserve pull)");
        }
        Optional<ModelEntry> entry = manifest.flatMap(m -> m.models().stream()
                .filter(e -> e.file().equals(path.getFileName().toString())).findFirst());
        String name = config.modelName().or(() -> entry.map(ModelEntry::name)).orElseGet(() -> nameOf(path));
        Optional<String> template = config.chatTemplate().or(() -> entry.map(ModelEntry::chatTemplate));
        return new ServedModel(path, name, template, modified(path));
    }

    private static long modified(Path path) {
        try {
            return Files.getLastModifiedTime(path).to(TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the modification time of " + path, e);
        }
    }

    private static String nameOf(Path model) {
        String file = model.getFileName().toString();
        return file.endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
    }
}
