package io.sinkserve.store;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelPullerTest {
    @TempDir
    Path dir;

    private byte[] content;
    private String digest;

    @BeforeEach
    void makeContent() throws Exception {
        content = new byte[300_000 + 17];
        new Random(42).nextBytes(content);
        digest = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
    }

    private static ModelEntry entry(String sha256, Long size) {
        return new ModelEntry("tiny", "tiny.gguf", "http://127.0.0.1/unused", sha256, size, true, null, "test", null);
    }

    @Test
    void downloadsVerifiesAndInstalls() throws Exception {
        try (LocalFileServer server = new LocalFileServer(content)) {
            ModelPuller puller = new ModelPuller(dir.resolve("store"), new HttpDownloader());
            PullResult r = puller.pull(entry(digest, (long) content.length), server.uri(), false, DownloadProgress.NONE);
            assertTrue(r.verified());
            assertTrue(r.downloaded());
            assertEquals(digest, r.sha256());
            assertArrayEquals(content, Files.readAllBytes(dir.resolve("store/tiny.gguf")));
            assertFalse(Files.exists(dir.resolve("store/tiny.gguf.part")));
            assertEquals(List.of(""), server.rangeHeaders());
        }
    }

    @Test
    void secondPullOnlyChecksTheInstalledFile() throws Exception {
        try (LocalFileServer server = new LocalFileServer(content)) {
            ModelPuller puller = new ModelPuller(dir, new HttpDownloader());
            puller.pull(entry(digest, null), server.uri(), false, DownloadProgress.NONE);
            PullResult again = puller.pull(entry(digest, null), server.uri(), false, DownloadProgress.NONE);
            assertFalse(again.downloaded());
            assertTrue(again.verified());
            assertEquals(1, server.rangeHeaders().size(), "no second request");
        }
    }

    @Test
    void resumesFromThePartialFileWithARangeRequest() throws Exception {
        Files.write(dir.resolve("tiny.gguf.part"), Arrays.copyOf(content, 123_456));
        try (LocalFileServer server = new LocalFileServer(content)) {
            PullResult r = new ModelPuller(dir, new HttpDownloader())
                    .pull(entry(digest, null), server.uri(), false, DownloadProgress.NONE);
            assertTrue(r.verified());
            assertEquals(List.of("bytes=123456-"), server.rangeHeaders());
            assertArrayEquals(content, Files.readAllBytes(dir.resolve("tiny.gguf")));
        }
    }

    @Test
    void aStalledTransferFailsKeepsTheBytesAndTheNextPullResumes() throws Exception {
        try (LocalFileServer server = new LocalFileServer(content)) {
            ModelPuller puller = new ModelPuller(dir, new HttpDownloader(Duration.ofSeconds(3)));
            server.cutNextResponseAfter(100_000);
            ModelStoreException e = assertThrows(ModelStoreException.class,
                    () -> puller.pull(entry(digest, null), server.uri(), false, DownloadProgress.NONE));
            assertTrue(e.getMessage().contains("run pull again to resume"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("tiny.gguf")));
            long kept = Files.size(dir.resolve("tiny.gguf.part"));
            assertTrue(kept > 0 && kept < content.length, "kept " + kept);

            PullResult r = puller.pull(entry(digest, null), server.uri(), false, DownloadProgress.NONE);
            assertTrue(r.verified());
            assertEquals("bytes=" + kept + "-", server.rangeHeaders().get(1));
            assertArrayEquals(content, Files.readAllBytes(dir.resolve("tiny.gguf")));
        }
    }

    @Test
    void aServerThatIgnoresRangeStillYieldsTheRightFile() throws Exception {
        Files.write(dir.resolve("tiny.gguf.part"), Arrays.copyOf(content, 5_000));
        try (LocalFileServer server = new LocalFileServer(content)) {
            server.ignoreRange();
            PullResult r = new ModelPuller(dir, new HttpDownloader())
                    .pull(entry(digest, null), server.uri(), false, DownloadProgress.NONE);
            assertTrue(r.verified());
            assertArrayEquals(content, Files.readAllBytes(dir.resolve("tiny.gguf")));
        }
    }

    @Test
    void followsRedirects() throws Exception {
        try (LocalFileServer server = new LocalFileServer(content)) {
            new ModelPuller(dir, new HttpDownloader()).pull(entry(digest, null), server.uri("/redirect"), false, DownloadProgress.NONE);
            assertArrayEquals(content, Files.readAllBytes(dir.resolve("tiny.gguf")));
        }
    }

    @Test
    void aWrongDigestIsRefusedAndNothingIsInstalled() throws Exception {
        String wrong = "0".repeat(64);
        try (LocalFileServer server = new LocalFileServer(content)) {
            ModelStoreException e = assertThrows(ModelStoreException.class, () -> new ModelPuller(dir, new HttpDownloader())
                    .pull(entry(wrong, null), server.uri(), false, DownloadProgress.NONE));
            assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
            assertTrue(e.getMessage().contains(digest), "names the digest it got: " + e.getMessage());
            assertFalse(Files.exists(dir.resolve("tiny.gguf")));
            assertFalse(Files.exists(dir.resolve("tiny.gguf.part")), "the bad download is discarded");
        }
    }

    @Test
    void aWrongSizeIsRefused() throws Exception {
        try (LocalFileServer server = new LocalFileServer(content)) {
            assertThrows(ModelStoreException.class, () -> new ModelPuller(dir, new HttpDownloader())
                    .pull(entry(digest, content.length + 1L), server.uri(), false, DownloadProgress.NONE));
            assertFalse(Files.exists(dir.resolve("tiny.gguf")));
        }
    }

    @Test
    void anUnpinnedModelNeedsAcceptUnverifiedAndIsNotFetchedTwice() throws Exception {
        try (LocalFileServer server = new LocalFileServer(content)) {
            ModelPuller puller = new ModelPuller(dir, new HttpDownloader());
            ModelStoreException e = assertThrows(ModelStoreException.class,
                    () -> puller.pull(entry(null, null), server.uri(), false, DownloadProgress.NONE));
            assertTrue(e.getMessage().contains(digest), "prints the computed digest: " + e.getMessage());
            assertTrue(e.getMessage().contains("--accept-unverified"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("tiny.gguf")));

            PullResult r = puller.pull(entry(null, null), server.uri(), true, DownloadProgress.NONE);
            assertFalse(r.verified());
            assertEquals(digest, r.sha256());
            assertArrayEquals(content, Files.readAllBytes(dir.resolve("tiny.gguf")));
            assertEquals("bytes=" + content.length + "-", server.rangeHeaders().get(1), "the kept part was complete");
        }
    }

    @Test
    void anInstalledFileWithTheWrongDigestIsReported() throws IOException {
        Files.write(dir.resolve("tiny.gguf"), new byte[] {1, 2, 3});
        ModelStoreException e = assertThrows(ModelStoreException.class, () -> new ModelPuller(dir, new HttpDownloader())
                .pull(entry(digest, null), java.net.URI.create("http://127.0.0.1:9/unused"), false, DownloadProgress.NONE));
        assertTrue(e.getMessage().contains("delete it and pull again"), e.getMessage());
    }

    @Test
    void httpErrorsAreReported() throws Exception {
        try (LocalFileServer server = new LocalFileServer(content)) {
            ModelStoreException e = assertThrows(ModelStoreException.class, () -> new ModelPuller(dir, new HttpDownloader())
                    .pull(entry(digest, null), server.uri("/missing"), false, DownloadProgress.NONE));
            assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        }
    }
}
