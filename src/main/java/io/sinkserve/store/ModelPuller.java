package io.sinkserve.store;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Installs a manifest model into the store directory: downloads into {@code FILE.part} (resumable),
 * checks size and sha256, and only then renames the part to {@code FILE}. A file whose digest does
 * not match the manifest never reaches its final name.
 */
public final class ModelPuller {
    private final Path store;
    private final HttpDownloader downloader;

    public ModelPuller(Path store, HttpDownloader downloader) {
        this.store = store;
        this.downloader = downloader;
    }

    /** The final path of a model's file in this store. */
    public Path target(ModelEntry model) {
        return store.resolve(model.file());
    }

    /**
     * @param source           where to download from (the manifest URL, or a mirror)
     * @param acceptUnverified install a model that has no pinned sha256 in the manifest
     */
    public PullResult pull(ModelEntry model, URI source, boolean acceptUnverified, DownloadProgress progress)
            throws IOException {
        Files.createDirectories(store);
        // Pods sharing one volume may start together: the lock makes the second wait and then find the file.
        try (FileChannel lock = FileChannel.open(store.resolve(model.file() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = lock.lock()) {
            return pullLocked(model, source, acceptUnverified, progress);
        }
    }

    private PullResult pullLocked(ModelEntry model, URI source, boolean acceptUnverified, DownloadProgress progress) throws IOException {
        Path target = target(model);
        if (Files.exists(target)) {
            return checkInstalled(model, target);
        }
        Path part = store.resolve(model.file() + ".part");
        long size;
        try {
            size = downloader.download(source, part, progress);
        } catch (IOException e) {
            throw new ModelStoreException(model.name() + ": download from " + source + " failed (" + describe(e)
                    + "); run pull again to resume from the " + (Files.exists(part) ? Files.size(part) : 0) + " bytes kept in " + part, e);
        }
        if (model.size() != null && size != model.size()) {
            Files.delete(part);
            throw new ModelStoreException(model.name() + ": downloaded " + size + " bytes but models.json says "
                    + model.size() + "; the download was discarded");
        }
        String digest = Sha256.of(part);
        if (model.sha256() != null && !model.sha256().equals(digest)) {
            Files.delete(part);
            throw new ModelStoreException(model.name() + ": sha256 mismatch, expected " + model.sha256() + " but the download from "
                    + source + " has " + digest + "; the download was discarded, nothing was installed");
        }
        if (model.sha256() == null && !acceptUnverified) {
            throw new ModelStoreException(model.name() + " has no pinned sha256 in models.json. The download has sha256 "
                    + digest + ". Compare it with the publisher's page, then run pull again with --accept-unverified "
                    + "(the bytes are kept in " + part + " and will not be fetched again).");
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        return new PullResult(model, target, digest, model.sha256() != null, true);
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static PullResult checkInstalled(ModelEntry model, Path target) throws IOException {
        String digest = Sha256.of(target);
        if (model.sha256() != null && !model.sha256().equals(digest)) {
            throw new ModelStoreException(target + " exists but its sha256 is " + digest + ", not " + model.sha256()
                    + " as models.json pins for " + model.name() + "; delete it and pull again");
        }
        return new PullResult(model, target, digest, model.sha256() != null, false);
    }
}
