package io.sinkserve.store;

import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelManifestTest {
    @TempDir
    Path dir;

    @Test
    void theShippedManifestPinsTheTestCopyOfTheDefaultModel() throws Exception {
        ModelManifest manifest = ModelManifest.load(ModelManifest.DEFAULT_PATH);
        ModelEntry def = manifest.defaultModel();
        assertEquals("stories260K", def.name());
        Path local = TestFiles.stories260K();
        assertEquals(Sha256.of(local), def.sha256());
        assertEquals(Files.size(local), def.size());
    }

    @Test
    void theShippedManifestOffersRealChatModels() {
        ModelManifest manifest = ModelManifest.load(ModelManifest.DEFAULT_PATH);
        for (String name : List.of("smollm2-135m-instruct", "smollm2-360m-instruct", "qwen2.5-0.5b-instruct", "llama-3.2-1b-instruct")) {
            ModelEntry m = manifest.get(name);
            assertTrue(m.url().startsWith("https://huggingface.co/"), m.url());
            assertTrue(m.file().endsWith(".gguf"), m.file());
            assertTrue(m.url().endsWith("/" + m.file()), "the URL downloads the named file: " + m.url());
        }
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        ModelManifest manifest = ModelManifest.load(ModelManifest.DEFAULT_PATH);
        ModelStoreException e = assertThrows(ModelStoreException.class, () -> manifest.get("gpt-5"));
        assertTrue(e.getMessage().contains("stories260K"), e.getMessage());
    }

    @Test
    void rejectsBrokenManifests() throws Exception {
        assertRejected("""
                {"models":[{"name":"a","file":"a.gguf","url":"https://x/a.gguf","default":false}]}""", "exactly one");
        assertRejected("""
                {"models":[{"name":"a","file":"../a.gguf","url":"https://x/a.gguf","default":true}]}""", "plain file name");
        assertRejected("""
                {"models":[{"name":"a","file":"a.gguf","url":"https://x/a.gguf","sha256":"ABC","default":true}]}""", "64 lowercase hex");
        assertRejected("""
                {"models":[{"name":"a","file":"a.gguf","url":"https://x/a.gguf","default":true},
                           {"name":"a","file":"b.gguf","url":"https://x/b.gguf"}]}""", "twice");
        assertRejected("""
                {"models":[{"name":"a","file":"a.gguf","url":"https://x/a.gguf","default":true,"sha":"x"}]}""", "sha");
        assertRejected("{", "cannot read");
    }

    private void assertRejected(String json, String expected) throws Exception {
        Path p = dir.resolve("models.json");
        Files.writeString(p, json);
        ModelStoreException e = assertThrows(ModelStoreException.class, () -> ModelManifest.load(p));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
