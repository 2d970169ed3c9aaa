package io.sinkserve.tokenizer;

import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.testing.TestFiles;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Loads (once per test run) the tokenizers of the shared vocab-only GGUFs and stories260K. */
final class Vocabs {
    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

    private Vocabs() {
    }

    /** e.g. "llama-spm" for vocab-only/ggml-vocab-llama-spm.gguf. */
    static Tokenizer vocabOnly(String name) {
        return LOADED.computeIfAbsent(name, n -> load("vocab-only/ggml-vocab-" + n + ".gguf"));
    }

    static Tokenizer stories260K() {
        return LOADED.computeIfAbsent("stories260K", n -> load("stories260K.gguf"));
    }

    private static Tokenizer load(String file) {
        try (GGUFFile gguf = GGUFFile.open(TestFiles.model(file))) {
            return Tokenizer.fromGGUF(gguf.metadata());
        }
    }
}
