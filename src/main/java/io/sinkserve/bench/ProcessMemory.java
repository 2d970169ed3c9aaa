package io.sinkserve.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size of this process from /proc/self/status (Linux): heap, off-heap caches and mapped weights. */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** VmRSS in bytes, or -1 where /proc is not available. */
    public static long rssBytes() {
        if (!Files.isReadable(STATUS)) {
            return -1;
        }
        try {
            return parseRss(Files.readString(STATUS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + STATUS, e);
        }
    }

    static long parseRss(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024; // the kernel reports kB
            }
        }
        return -1;
    }
}
