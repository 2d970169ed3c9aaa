package io.sinkserve.persist;

import io.sinkserve.model.Engine;
import io.sinkserve.model.Sequence;
import io.sinkserve.session.SessionSnapshot;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The session snapshot file format, version 2 (big-endian):
 * <pre>
 *   int   magic "SKSS"            int  format version
 *   long  model file size          byte[32] SHA-256 of the model's header and tensor index ({@link ModelIdentity})
 *   int   n, byte[n]  the session as JSON ({@link SessionSnapshot}; the owner field holds {@link OwnerHash})
 *   long  m, byte[m]  the sequence ({@link Sequence#writeSnapshot}: its tokens and KV cache)
 *   int   CRC32C of every byte before it
 * </pre>
 * Reading checks, in order, magic, version, length, checksum, model identity, the section lengths, the JSON and the
 * sequence (which must use its section exactly), so a truncated, mutated or foreign file is rejected before
 * anything is allocated from its contents. Version 1 differs only in the JSON: the settings' cache fields were
 * fields of the settings themselves; it is read by moving them into the settings' {@code cache} object.
 */
public final class SnapshotFile {
    public static final int VERSION = 2;
    private static final int FLAT_CACHE_SETTINGS_VERSION = 1;
    private static final List<String> FLAT_CACHE_FIELDS = List.of("sinks", "window", "policy", "batchSize", "storage");
    private static final int MAGIC = 0x534B5353;
    private static final int HEADER_BYTES = 4 + 4 + 8 + 32;
    private static final int MIN_BYTES = HEADER_BYTES + 4 + 8 + 4;
    // Fields only, so a record's derived accessors (isGreedy, ...) are not properties; an unknown or missing field
    // (a snapshot from a build whose session shape differs) fails the read instead of restoring a guess.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .visibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
            .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private SnapshotFile() {
    }

    /** A session and its sequence from a file's bytes; the caller owns (and closes) the sequence. */
    public record Contents(SessionSnapshot session, Sequence sequence) {
    }

    /** The file for {@code session} (whose owner must already be the {@link OwnerHash}) and its sequence. */
    public static byte[] encode(ModelIdentity model, SessionSnapshot session, Sequence sequence) throws IOException {
        byte[] json = JSON.writeValueAsBytes(session);
        ByteArrayOutputStream seq = new ByteArrayOutputStream();
        sequence.writeSnapshot(seq);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(MIN_BYTES + json.length + seq.size());
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(model.fileSize());
        out.write(HexFormat.of().parseHex(model.headerSha256()));
        out.writeInt(json.length);
        out.write(json);
        out.writeLong(seq.size());
        seq.writeTo(out);
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    /** Validates a file's bytes and rebuilds its session and sequence with {@code engine}, or says why not. */
    public static Contents decode(byte[] file, ModelIdentity model, Engine engine) throws SnapshotRejectedException {
        ByteBuffer b = ByteBuffer.wrap(file);
        if (file.length < 8 || b.getInt() != MAGIC) {
            throw corrupt("not a sinkserve session snapshot (" + file.length + " bytes, no SKSS magic)");
        }
        int version = b.getInt();
        if (version != VERSION && version != FLAT_CACHE_SETTINGS_VERSION) {
            throw new SnapshotRejectedException(SkipReason.VERSION, "snapshot format version " + version
                    + "; this build reads versions " + FLAT_CACHE_SETTINGS_VERSION + " and " + VERSION);
        }
        if (file.length < MIN_BYTES) {
            throw corrupt("truncated: " + file.length + " bytes, shorter than any snapshot");
        }
        CRC32C crc = new CRC32C();
        crc.update(file, 0, file.length - 4);
        if ((int) crc.getValue() != b.getInt(file.length - 4)) {
            throw corrupt("checksum mismatch over " + file.length + " bytes (truncated or modified)");
        }
        long size = b.getLong();
        byte[] digest = new byte[32];
        b.get(digest);
        ModelIdentity written = new ModelIdentity(size, HexFormat.of().formatHex(digest));
        if (!written.equals(model)) {
            throw new SnapshotRejectedException(SkipReason.MODEL, "written for another model file (" + written
                    + "), the served one is " + model);
        }
        SessionSnapshot session = session(b, file, version);
        long seqLength = b.getLong();
        if (seqLength != file.length - 4 - b.position()) {
            throw corrupt("sequence section of " + seqLength + " bytes does not end at the checksum");
        }
        return new Contents(session, sequence(file, b.position(), (int) seqLength, engine));
    }

    private static SessionSnapshot session(ByteBuffer b, byte[] file, int version) throws SnapshotRejectedException {
        int length = b.getInt();
        if (length < 2 || length > file.length - b.position() - 12) {
            throw corrupt("session section of " + length + " bytes does not fit the file");
        }
        try {
            SessionSnapshot s = version == VERSION ? JSON.readValue(file, b.position(), length, SessionSnapshot.class)
                    : JSON.treeToValue(nestCacheSettings(JSON.readTree(file, b.position(), length)), SessionSnapshot.class);
            b.position(b.position() + length);
            return s;
        } catch (IOException | RuntimeException e) {
            throw corrupt("session section does not parse: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    /** A version 1 session: its settings' cache fields move into one {@code cache} object, with no pinned prefix. */
    private static JsonNode nestCacheSettings(JsonNode session) {
        if (session.get("settings") instanceof ObjectNode settings) {
            ObjectNode cache = settings.objectNode();
            for (String field : FLAT_CACHE_FIELDS) {
                JsonNode value = settings.remove(field);
                if (value != null) {
                    cache.set(field, value);
                }
            }
            settings.set("cache", cache.put("pinnedPrefix", 0));
        }
        return session;
    }

    private static Sequence sequence(byte[] file, int offset, int length, Engine engine) throws SnapshotRejectedException {
        ByteArrayInputStream in = new ByteArrayInputStream(file, offset, length);
        Sequence seq;
        try {
            seq = engine.readSequence(in);
        } catch (IOException | RuntimeException e) {
            throw corrupt("sequence section does not load: " + e.getMessage(), e);
        }
        if (in.available() != 0) {
            seq.close();
            throw corrupt("sequence section has " + in.available() + " bytes after the sequence");
        }
        return seq;
    }

    private static SnapshotRejectedException corrupt(String message) {
        return new SnapshotRejectedException(SkipReason.CORRUPT, message);
    }

    private static SnapshotRejectedException corrupt(String message, Throwable cause) {
        return new SnapshotRejectedException(SkipReason.CORRUPT, message, cause);
    }
}
