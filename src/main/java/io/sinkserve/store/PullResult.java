package io.sinkserve.store;

import java.nio.file.Path;

/**
 * What {@code pull} left in the store.
 *
 * @param verified   true when the file's digest equals the manifest's pinned sha256
 * @param downloaded false when a verified copy was already there
 */
public record PullResult(ModelEntry model, Path file, String sha256, boolean verified, boolean downloaded) {
}
