package io.sinkserve.api;

import io.sinkserve.persist.OwnerHash;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Optional Bearer API keys for /v1. With no keys configured every caller is the same anonymous owner. The key
 * a request came with owns the sessions it creates.
 */
final class Auth {
    private static final String OWNER = "sinkserve.owner";

    private final List<byte[]> keys;

    Auth(Optional<List<String>> keys, Optional<Path> keysFile) {
        List<String> all = new ArrayList<>(keys.orElse(List.of()));
        keysFile.ifPresent(f -> all.addAll(read(f)));
        this.keys = all.stream().map(String::trim).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.strip().startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read API keys file " + file + ": " + e.getMessage(), e);
        }
    }

    boolean enabled() {
        return !keys.isEmpty();
    }

    /** Route handler: rejects requests without a valid key (when keys are configured), else records the owner. */
    void check(RoutingContext ctx) {
        String owner = "";
        if (enabled()) {
            String header = ctx.request().getHeader("Authorization");
            String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
            if (given == null || !valid(given)) {
                throw new ApiException(401, "authentication_error", "invalid_api_key", null,
                        given == null ? "missing API key: send 'Authorization: Bearer <key>'" : "invalid API key", 0);
            }
            owner = given;
        }
        ctx.put(OWNER, owner);
        ctx.next();
    }

    private boolean valid(String given) {
        byte[] g = given.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] k : keys) {
            ok |= MessageDigest.isEqual(k, g);
        }
        return ok;
    }

    /** The owner an {@link OwnerHash} (from a session snapshot) stands for, if that owner may make requests now. */
    Optional<String> ownerOfHash(String hash) {
        if (!enabled()) {
            return OwnerHash.of("").equals(hash) ? Optional.of("") : Optional.empty();
        }
        return keys.stream().map(k -> new String(k, StandardCharsets.UTF_8)).filter(k -> OwnerHash.of(k).equals(hash)).findFirst();
    }

    static String owner(RoutingContext ctx) {
        String owner = ctx.get(OWNER);
        return owner == null ? "" : owner;
    }
}
