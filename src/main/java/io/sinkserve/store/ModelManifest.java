package io.sinkserve.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The parsed {@code models.json}: named models, exactly one of them the default. */
public final class ModelManifest {
    /** Where the manifest lives in a checkout and in the image (working directory /app). */
    public static final Path DEFAULT_PATH = Path.of("model-store", "models.json");

    private final List<ModelEntry> models;

    private ModelManifest(List<ModelEntry> models) {
        this.models = List.copyOf(models);
    }

    private record Document(List<ModelEntry> models) {
    }

    public static ModelManifest load(Path path) {
        try {
            Document doc = new ObjectMapper()
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(Files.readAllBytes(path), Document.class);
            return of(doc.models() == null ? List.of() : doc.models());
        } catch (NoSuchFileException e) {
            throw new ModelStoreException("model manifest not found: " + path + " (run from the project directory or pass --manifest)");
        } catch (IOException e) {
            throw new ModelStoreException("cannot read model manifest " + path + ": " + e.getMessage(), e);
        }
    }

    static ModelManifest of(List<ModelEntry> models) {
        Set<String> names = new HashSet<>();
        for (ModelEntry m : models) {
            m.validate();
            if (!names.add(m.name())) {
                throw new ModelStoreException("models.json: model name " + m.name() + " appears twice");
            }
        }
        long defaults = models.stream().filter(ModelEntry::isDefault).count();
        if (defaults != 1) {
            throw new ModelStoreException("models.json: exactly one model must have \"default\": true, found " + defaults);
        }
        return new ModelManifest(models);
    }

    public List<ModelEntry> models() {
        return models;
    }

    public ModelEntry defaultModel() {
        return models.stream().filter(ModelEntry::isDefault).findFirst().orElseThrow();
    }

    public ModelEntry get(String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new ModelStoreException("unknown model " + name + "; models.json has: "
                        + models.stream().map(ModelEntry::name).collect(Collectors.joining(", "))));
    }
}
