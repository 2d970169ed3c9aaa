package io.sinkserve.persist;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.sinkserve.store.Sha256;

/**
 * The folder of snapshot files, one per session ({@code <hash of owner and id>.session}). A file is written to a
 * temporary name, fsynced, renamed over the old one and the folder fsynced, so a kill at any moment leaves either the
 * old or the new snapshot, never a torn one; leftovers of an interrupted write are removed when the folder is opened.
 */
public final class SnapshotDirectory {
    static final String SUFFIX = ".session";
    private static final String TEMP = ".tmp-";
    private static final String SET_ASIDE = ".rejected";

    private final Path dir;

    public SnapshotDirectory(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "*" + TEMP + "*")) {
            for (Path t : temps) {
                Files.deleteIfExists(t);
            }
        }
    }

    public Path path() {
        return dir;
    }

    /** Where the session {@code id} of the owner with {@code ownerHash} is kept (ids are per owner). */
    public Path fileFor(String ownerHash, String id) {
        return dir.resolve(Sha256.of((ownerHash + "\n" + id).getBytes(StandardCharsets.UTF_8)).substring(0, 40) + SUFFIX);
    }

    /** Every snapshot file, in name order. */
    public List<Path> snapshots() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            all.forEach(files::add);
        }
        files.sort(null);
        return files;
    }

    /** Replaces {@code target}'s contents atomically and durably. */
    public void write(Path target, byte[] bytes) throws IOException {
        Path temp = dir.resolve(target.getFileName() + TEMP + UUID.randomUUID());
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        syncDirectory();
    }

    /** A file's bytes, refused (as corrupt) when larger than {@code maxBytes}, before reading any. */
    public byte[] read(Path file, long maxBytes) throws IOException, SnapshotRejectedException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new SnapshotRejectedException(SkipReason.CORRUPT, size + " bytes, more than any session can take ("
                    + maxBytes + ")");
        }
        return Files.readAllBytes(file);
    }

    public void delete(Path file) throws IOException {
        if (Files.deleteIfExists(file)) {
            syncDirectory();
        }
    }

    /** Renames a corrupt file out of the way (kept for inspection, never read again); returns its new path. */
    public Path setAside(Path file) throws IOException {
        Path aside = file.resolveSibling(file.getFileName() + SET_ASIDE);
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        return aside;
    }

    // The rename is durable only once the folder's entry is; Linux allows fsync on a directory opened for reading.
    private void syncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some filesystems refuse fsync on a directory; the rename is still atomic there
        }
    }
}
