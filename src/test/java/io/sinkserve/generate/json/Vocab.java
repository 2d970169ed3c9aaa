package io.sinkserve.generate.json;

import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.testing.TestFiles;
import io.sinkserve.tokenizer.Tokenizer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The shared vocab-only tokenizers (once per test run) and their token bytes. */
final class Vocab {
    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();
    private static final Map<String, TokenBytes> BYTES = new ConcurrentHashMap<>();

    private Vocab() {
    }

    /** e.g. "llama-bpe" for vocab-only/ggml-vocab-llama-bpe.gguf (Llama 3, 128k tokens). */
    static Tokenizer tokenizer(String name) {
        return TOKENIZERS.computeIfAbsent(name, n -> {
            try (GGUFFile gguf = GGUFFile.open(TestFiles.model("vocab-only/ggml-vocab-" + n + ".gguf"))) {
                return Tokenizer.fromGGUF(gguf.metadata());
            }
        });
    }

    static TokenBytes bytes(String name) {
        return BYTES.computeIfAbsent(name, n -> TokenBytes.of(tokenizer(n)));
    }
}
