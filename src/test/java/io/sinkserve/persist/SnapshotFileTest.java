package io.sinkserve.persist;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.generate.SamplingParams;
import io.sinkserve.model.ModelEngine;
import io.sinkserve.model.Sequence;
import io.sinkserve.session.SessionSettings;
import io.sinkserve.session.SessionSnapshot;
import io.sinkserve.testing.TestFiles;
import io.sinkserve.tokenizer.ChatMessage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SnapshotFileTest {
    static final SessionSettings SETTINGS = new SessionSettings(
            CacheConfig.streaming(4, 28).withPolicy(EvictionPolicy.BATCH).withBatchSize(7).withStorage(KvStorage.F16), true,
            SamplingParams.greedy(64).withTemperature(0.7f).withTopK(12).withTopP(0.9f).withMinP(0.02f)
                    .withRepetitionPenalty(1.1f).withRepeatLastN(32).withPresencePenalty(0.25f).withFrequencyPenalty(0.5f)
                    .withStop(List.of("\n\n", "END")), OptionalLong.of(42));
    static ModelEngine engine;
    static ModelIdentity identity;

    @BeforeAll
    static void load() {
        engine = ModelEngine.load(TestFiles.stories260K(), "stories260K", 1);
        identity = ModelIdentity.of(TestFiles.stories260K());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static SessionSnapshot session(String id, String owner) {
        return new SessionSnapshot(id, owner, true, SETTINGS, 1_700_000_000_123L, 1_700_000_100_456L,
                List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Hi <s> there")),
                new int[] {1, 403, 407}, new int[] {2}, new SessionSnapshot.Counters(3, 40, 55, 1, 12.5, 812.25));
    }

    /** A sequence that has evicted (so the window wraps) holding 40 tokens of a story. */
    static Sequence sequence() {
        Sequence seq = engine.newSequence(SETTINGS.cacheConfig(0));
        engine.prefill(seq, engine.encode("Once upon a time, there was a little girl named Lily. She loved to play"));
        return seq;
    }

    private static byte[] file() throws IOException {
        try (Sequence seq = sequence()) {
            return SnapshotFile.encode(identity, session("chat-1", OwnerHash.of("key-a")), seq);
        }
    }

    @Test
    void aSessionComesBackWithItsStateAndACacheThatPredictsTheSame() throws Exception {
        SessionSnapshot written = session("chat-1", OwnerHash.of("key-a"));
        int[] next = engine.encode(" outside in the park.");
        try (Sequence seq = sequence()) {
            byte[] bytes = SnapshotFile.encode(identity, written, seq);
            SnapshotFile.Contents c = SnapshotFile.decode(bytes, identity, engine);
            try (Sequence restored = c.sequence()) {
                SessionSnapshot read = c.session();
                assertEquals(written.id(), read.id());
                assertEquals(written.owner(), read.owner());
                assertEquals(written.implicit(), read.implicit());
                assertEquals(written.createdAtMs(), read.createdAtMs());
                assertEquals(written.lastUsedAtMs(), read.lastUsedAtMs());
                assertEquals(written.conversation(), read.conversation());
                assertEquals(written.counters(), read.counters());
                assertEquals(SETTINGS, read.settings());
                assertArrayEquals(written.seen(), read.seen());
                assertArrayEquals(written.pending(), read.pending());
                assertEquals(seq.stats(), restored.stats());
                assertArrayEquals(seq.recentTokens(1 << 16), restored.recentTokens(1 << 16));
                assertArrayEquals(engine.prefill(seq, next), engine.prefill(restored, next),
                        "the restored cache gives the same logits as the one it was written from");
            }
        }
    }

    @Test
    void aSessionWithoutContinuationOrConversationRoundTrips() throws Exception {
        SessionSettings noSeed = new SessionSettings(CacheConfig.streaming(4, 28), false,
                SamplingParams.defaults(256, 0), OptionalLong.empty());
        SessionSnapshot bare = new SessionSnapshot("s", OwnerHash.of(""), false, noSeed, 1, 2, List.of(), null, null,
                new SessionSnapshot.Counters(0, 0, 0, 0, 0, 0));
        try (Sequence seq = engine.newSequence(CacheConfig.streaming(4, 28))) {
            SnapshotFile.Contents c = SnapshotFile.decode(SnapshotFile.encode(identity, bare, seq), identity, engine);
            c.sequence().close();
            assertEquals(noSeed, c.session().settings(), "no seed default stays none");
            assertEquals(null, c.session().seen());
            assertEquals(0, c.session().pending().length);
            assertEquals(0, c.sequence().stats().tokensSeen());
        }
    }

    @Test
    void everyTruncationIsRejectedAsCorrupt() throws Exception {
        byte[] bytes = file();
        for (int length = 8; length < bytes.length; length += length < 200 ? 1 : 97) {
            byte[] truncated = Arrays.copyOf(bytes, length);
            SnapshotRejectedException e = assertThrows(SnapshotRejectedException.class,
                    () -> SnapshotFile.decode(truncated, identity, engine), "length " + length);
            assertEquals(SkipReason.CORRUPT, e.reason(), "length " + length + ": " + e.getMessage());
        }
        assertEquals(SkipReason.CORRUPT, assertThrows(SnapshotRejectedException.class,
                () -> SnapshotFile.decode(new byte[3], identity, engine)).reason());
    }

    @Test
    void aChangedByteAnywhereIsRejected() throws Exception {
        byte[] bytes = file();
        for (int at = 0; at < bytes.length; at += at < 300 ? 1 : 211) {
            byte[] mutated = bytes.clone();
            mutated[at] ^= (byte) (1 << (at % 8));
            int position = at;
            SnapshotRejectedException e = assertThrows(SnapshotRejectedException.class,
                    () -> SnapshotFile.decode(mutated, identity, engine), "byte " + at);
            SkipReason expected = at >= 4 && at < 8 ? SkipReason.VERSION : SkipReason.CORRUPT;
            assertEquals(expected, e.reason(), "byte " + position + ": " + e.getMessage());
        }
    }

    @Test
    void aSnapshotOfAnotherModelFileIsRejectedAsForeign() throws Exception {
        ModelIdentity other = ModelIdentity.of(TestFiles.model("stories260K-ggufv1-f32.gguf"));
        assertNotEquals(identity, other, "same weights, another file layout: another identity");
        SnapshotRejectedException e = assertThrows(SnapshotRejectedException.class,
                () -> SnapshotFile.decode(file(), other, engine));
        assertEquals(SkipReason.MODEL, e.reason());
    }

    @Test
    void anotherFormatVersionIsNamed() throws Exception {
        byte[] bytes = file();
        ByteBuffer.wrap(bytes).putInt(4, SnapshotFile.VERSION + 1);
        SnapshotRejectedException e = assertThrows(SnapshotRejectedException.class,
                () -> SnapshotFile.decode(bytes, identity, engine));
        assertEquals(SkipReason.VERSION, e.reason());
        assertEquals("snapshot format version 3; this build reads versions 1 and 2", e.getMessage());
    }

    /** version-1.session: {@link #file()} as the build before format version 2 wrote it. */
    @Test
    void aVersion1FileIsReadWithItsFlatCacheSettings() throws Exception {
        byte[] bytes;
        try (InputStream in = SnapshotFileTest.class.getResourceAsStream("version-1.session")) {
            bytes = in.readAllBytes();
        }
        assertEquals(1, ByteBuffer.wrap(bytes).getInt(4));
        SnapshotFile.Contents c = SnapshotFile.decode(bytes, identity, engine);
        SessionSnapshot written = session("chat-1", OwnerHash.of("key-a"));
        int[] next = engine.encode(" outside in the park.");
        try (Sequence restored = c.sequence(); Sequence seq = sequence()) {
            assertEquals(SETTINGS, c.session().settings());
            assertEquals(written.conversation(), c.session().conversation());
            assertEquals(written.counters(), c.session().counters());
            assertArrayEquals(written.seen(), c.session().seen());
            assertEquals(seq.stats(), restored.stats());
            assertArrayEquals(engine.prefill(seq, next), engine.prefill(restored, next));
        }
    }

    @Test
    void theOwnerIsStoredOnlyAsItsHash() throws Exception {
        String key = "sk-very-secret-key-123";
        try (Sequence seq = sequence()) {
            SessionSnapshot s = session("chat-1", OwnerHash.of(key));
            String text = new String(SnapshotFile.encode(identity, s, seq), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertEquals(-1, text.indexOf(key));
            assertNotEquals(-1, text.indexOf(OwnerHash.of(key)));
        }
    }
}
