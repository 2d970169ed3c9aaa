package io.sinkserve.gguf;

import java.nio.file.Path;

/** A GGUF file that cannot be used: the message names the file and what is wrong with it. */
public class GGUFException extends RuntimeException {
    public GGUFException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public GGUFException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
