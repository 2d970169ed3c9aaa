package io.sinkserve.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the shared test models and texts: linked into model-store/ and testdata/ by .ci/run, or
 * read straight from ../shared beside the checkout. They are never committed.
 */
public final class TestFiles {
    private TestFiles() {
    }

    /** A file under the shared models folder, e.g. "stories260K.gguf" or "vocab-only/ggml-vocab-gpt-2.gguf". */
    public static Path model(String name) {
        return first(Path.of("model-store", name), Path.of("..", "shared", "models", name));
    }

    /** A text under the shared data folder, e.g. "tinystories_valid_head.txt". */
    public static Path data(String name) {
        return first(Path.of("testdata", "data", name), Path.of("..", "shared", "data", name));
    }

    /** A file under the shared chat-template folder. */
    public static Path template(String name) {
        return first(Path.of("testdata", "templates", name), Path.of("..", "shared", "templates", name));
    }

    public static Path stories260K() {
        return model("stories260K.gguf");
    }

    private static Path first(Path linked, Path shared) {
        if (Files.exists(linked)) {
            return linked;
        }
        if (Files.exists(shared)) {
            return shared;
        }
        throw new IllegalStateException("test file missing: " + linked + " (run .ci/run once, or keep ../shared beside the checkout)");
    }
}
