package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where the model to serve is: the configured path, else model-store's default, else stories260K. */
final class ModelLocator {
    static final Path STORE = Path.of("model-store");

    private ModelLocator() {
    }

    static Path resolve(Optional<Path> configured) {
        Path path = configured.orElseGet(ModelLocator::storeDefault);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("model file not found: " + path.toAbsolutePath()
                    + " (set sinkserve.model / SINKSERVE_MODEL, or fetch one into model-store/)");
        }
        return path;
    }

    /** The file of the manifest's default entry ({"default": name, "models": [{"name", "file"}...]}). */
    private static Path storeDefault() {
        Path manifest = STORE.resolve("models.json");
        if (Files.isRegularFile(manifest)) {
            try {
                JsonNode root = new ObjectMapper().readTree(manifest.toFile());
                String name = root.path("default").asText("");
                for (JsonNode m : root.path("models")) {
                    if (m.path("name").asText().equals(name) && m.hasNonNull("file")) {
                        return STORE.resolve(m.get("file").asText());
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + manifest + ": " + e.getMessage(), e);
            }
        }
        return STORE.resolve("stories260K.gguf");
    }

    static String nameOf(Path model) {
        String file = model.getFileName().toString();
        return file.endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
    }
}
