package io.sinkserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = SinkserveCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static JsonNode json(String... args) throws IOException {
        Run r = run(args);
        assertEquals(0, r.exit(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void describesStories260K() throws IOException {
        String model = TestFiles.stories260K().toString();
        JsonNode j = json("info", model, "--json");
        assertEquals("llama", j.at("/architecture").asText());
        JsonNode shape = j.at("/shape");
        assertEquals(64, shape.at("/dim").asInt());
        assertEquals(5, shape.at("/layers").asInt());
        assertEquals(8, shape.at("/heads").asInt());
        assertEquals(4, shape.at("/kvHeads").asInt());
        assertEquals(8, shape.at("/headDim").asInt());
        assertEquals(172, shape.at("/ffn").asInt());
        assertEquals(512, shape.at("/vocab").asInt());
        assertEquals(48, j.at("/tensors/count").asInt());
        assertEquals(48, j.at("/tensors/types/F32").asInt());
        assertEquals(292_800, j.at("/tensors/parameters").asLong());
        assertEquals(292_800L * 4, j.at("/tensors/weightBytes").asLong());
        assertEquals(Files.size(TestFiles.stories260K()) - j.at("/file/dataOffset").asLong(),
                j.at("/tensors/weightBytes").asLong(), "tensors fill the data section without gaps");
        assertEquals("llama", j.at("/tokenizer/model").asText());
        assertEquals(1, j.at("/tokenizer/bos").asInt());
        assertEquals(2, j.at("/tokenizer/eos").asInt());
        assertEquals(false, j.at("/chatTemplate/present").asBoolean());
        // serve's default: 4 sinks + a window of the 2048-token context minus the sinks;
        // layers x K,V x kv heads x head dim x 2048 slots x 4 or 2 bytes
        assertEquals(2048, j.at("/kvCache/capacity").asInt());
        assertEquals(2044, j.at("/kvCache/window").asInt());
        assertEquals(5L * 2 * 4 * 8 * 2048 * 4, j.at("/kvCache/bytesF32").asLong());
        assertEquals(5L * 2 * 4 * 8 * 2048 * 2, j.at("/kvCache/bytesF16").asLong());

        Run text = run("info", model, "--sinks", "0", "--window", "512");
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("dim 64, layers 5, heads 8 / kv heads 4, head dim 8, ffn 172, vocab 512"), text.out());
        assertTrue(text.out().contains("48 (F32 x48)"), text.out());
        assertTrue(text.out().contains("0 sinks + 512 window = 512 tokens per session: 640.00 KiB as F32, 320.00 KiB as F16"),
                text.out());
    }

    @Test
    void describesVocabOnlyFiles() throws IOException {
        JsonNode j = json("info", TestFiles.model("vocab-only/ggml-vocab-llama-bpe.gguf").toString(), "--json");
        assertEquals(0, j.at("/tensors/count").asInt());
        assertTrue(j.at("/file/dataOffset").isNull());
        assertEquals("gpt2", j.at("/tokenizer/model").asText());
        assertEquals("llama-bpe", j.at("/tokenizer/pre").asText());
        assertEquals(128256, j.at("/tokenizer/vocabSize").asInt());
        assertEquals(128000, j.at("/tokenizer/bos").asInt());
        assertEquals(128009, j.at("/tokenizer/eot").asInt());
        assertTrue(j.at("/shape/layers").isNull());
        assertTrue(j.at("/kvCache").isNull(), "no layer shape, no cache estimate");

        JsonNode phi = json("info", TestFiles.model("vocab-only/ggml-vocab-phi-3.gguf").toString(), "--json");
        assertTrue(phi.at("/chatTemplate/present").asBoolean());
        assertTrue(phi.at("/chatTemplate/firstLine").asText().startsWith("{{ bos_token }}"));
        assertEquals("MOSTLY_F16 (1)", phi.at("/fileType").asText());

        Run text = run("info", TestFiles.model("vocab-only/ggml-vocab-llama-bpe.gguf").toString());
        assertTrue(text.out().contains("none (vocab-only file)"), text.out());
        assertTrue(text.out().contains("gpt2, pre llama-bpe, 128256 tokens"), text.out());
    }

    @Test
    void aBrokenFileIsOneLineNamingIt(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.gguf");
        Files.write(bad, new byte[] {'G', 'G', 'U', 'F', 3, 0, 0});
        Run r = run("info", bad.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("sinkserve info: " + bad + ": truncated"), r.err());
        assertEquals(1, r.err().strip().lines().count());
    }
}
