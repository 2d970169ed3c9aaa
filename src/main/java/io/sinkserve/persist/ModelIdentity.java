package io.sinkserve.persist;

import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.store.Sha256;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which model file a snapshot's KV cache was computed with: the file's size and the SHA-256 of everything before
 * the tensor data (header, metadata, tensor index). Cheap at startup (the weights are not read), and any other
 * model, quantisation or conversion differs in it; two files with the same header and size but different weights
 * would not be told apart, which only a deliberate edit of the weights produces.
 */
public record ModelIdentity(long fileSize, String headerSha256) {

    public static ModelIdentity of(Path gguf) {
        try (GGUFFile f = GGUFFile.open(gguf)) {
            long size = Files.size(gguf);
            byte[] header = f.headerBytes().toArray(ValueLayout.JAVA_BYTE);
            return new ModelIdentity(size, Sha256.of(header));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + gguf + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return fileSize + " bytes, header sha256 " + headerSha256;
    }
}
