package io.sinkserve.cli;

import io.sinkserve.store.LocalFileServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PullCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = SinkserveCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private Path manifest(LocalFileServer server, String sha256) throws Exception {
        Path m = dir.resolve("models.json");
        Files.writeString(m, """
                {"models":[{"name":"tiny","file":"tiny.gguf","url":"%s","sha256":%s,"default":true}]}"""
                .formatted(server.uri(), sha256 == null ? "null" : "\"" + sha256 + "\""));
        return m;
    }

    @Test
    void pullsTheDefaultModelAndReportsItVerified() throws Exception {
        byte[] content = "GGUF and then some weights".getBytes();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        try (LocalFileServer server = new LocalFileServer(content)) {
            Path store = dir.resolve("store");
            int rc = run("pull", "--manifest", manifest(server, sha).toString(), "--store", store.toString());
            assertEquals(0, rc, err.toString());
            assertTrue(out.toString().contains("tiny: installed " + store.resolve("tiny.gguf") + ", verified sha256 " + sha), out.toString());
            assertArrayEquals(content, Files.readAllBytes(store.resolve("tiny.gguf")));

            run("pull", "--list", "--manifest", manifest(server, sha).toString(), "--store", store.toString());
            assertTrue(out.toString().lines().anyMatch(l -> l.startsWith("tiny") && l.contains("default") && l.contains("present")), out.toString());
        }
    }

    @Test
    void aMismatchExitsNonZeroWithAMessageAndInstallsNothing() throws Exception {
        try (LocalFileServer server = new LocalFileServer(new byte[1000])) {
            Path store = dir.resolve("store");
            int rc = run("pull", "--manifest", manifest(server, "a".repeat(64)).toString(), "--store", store.toString(), "tiny");
            assertEquals(1, rc);
            assertTrue(err.toString().startsWith("sinkserve pull: tiny: sha256 mismatch"), err.toString());
            assertFalse(Files.exists(store.resolve("tiny.gguf")));
        }
    }

    @Test
    void anUnpinnedModelIsInstalledOnlyWithAcceptUnverified() throws Exception {
        try (LocalFileServer server = new LocalFileServer(new byte[1000])) {
            Path store = dir.resolve("store");
            String m = manifest(server, null).toString();
            assertEquals(1, run("pull", "--manifest", m, "--store", store.toString()));
            assertTrue(err.toString().contains("--accept-unverified"), err.toString());
            assertFalse(Files.exists(store.resolve("tiny.gguf")));
            assertEquals(0, run("pull", "--manifest", m, "--store", store.toString(), "--accept-unverified"));
            assertTrue(out.toString().contains("UNVERIFIED"), out.toString());
            assertTrue(Files.exists(store.resolve("tiny.gguf")));
        }
    }

    @Test
    void anUnknownModelNamesTheKnownOnes() throws Exception {
        try (LocalFileServer server = new LocalFileServer(new byte[10])) {
            assertEquals(1, run("pull", "--manifest", manifest(server, null).toString(), "--store", dir.toString(), "nope"));
            assertTrue(err.toString().contains("unknown model nope; models.json has: tiny"), err.toString());
        }
    }
}
