package io.sinkserve.store;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.regex.Pattern;

/**
 * One model of {@code models.json}: where its GGUF comes from and how to check it.
 *
 * @param sha256       lowercase hex digest of the published file, or null when none could be sourced
 *                     (then {@code pull} needs {@code --accept-unverified})
 * @param size         exact byte count, or null when unknown
 * @param chatTemplate a named template (chatml, llama2, llama3, phi3, plain) that overrides the GGUF's, or null
 * @param sha256Source the page the digest was read from, so anyone can re-check it
 */
public record ModelEntry(
        String name,
        String file,
        String url,
        String sha256,
        Long size,
        @JsonProperty("default") boolean isDefault,
        @JsonProperty("chat_template") String chatTemplate,
        String description,
        @JsonProperty("sha256_source") String sha256Source) {

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern PLAIN_FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** Checks the fields a download depends on; the message names the entry and the field. */
    void validate() {
        require(name != null && !name.isBlank(), "an entry has no \"name\"");
        require(file != null && PLAIN_FILE.matcher(file).matches() && !file.contains(".."),
                name + ": \"file\" must be a plain file name inside the model store, got " + file);
        require(url != null && (url.startsWith("https://") || url.startsWith("http://")),
                name + ": \"url\" must be an http(s) URL, got " + url);
        require(sha256 == null || HEX64.matcher(sha256).matches(),
                name + ": \"sha256\" must be 64 lowercase hex digits or null, got " + sha256);
        require(size == null || size > 0, name + ": \"size\" must be positive or null, got " + size);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ModelStoreException("models.json: " + message);
        }
    }
}
