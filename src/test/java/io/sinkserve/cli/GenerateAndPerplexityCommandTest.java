package io.sinkserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateAndPerplexityCommandTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = SinkserveCommand.commandLine();
        cl.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = cl.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void generatePrintsOnlyTheGeneratedTextAndStatsToStderr() {
        Run r = run("generate", "--model", TestFiles.stories260K().toString(), "--prompt", "Once upon a time",
                "--temperature", "0", "--max-tokens", "30", "--threads", "1", "--stop", " She");
        assertEquals(0, r.exit(), r.err());
        assertEquals(", there was a little girl named Lily.", r.out());
        assertTrue(r.err().contains("prompt: 5 tokens"), r.err());
        assertTrue(r.err().contains("finish: stop"), r.err());
    }

    @Test
    void perplexityJsonReportsTheStreamAndItsSegments() throws Exception {
        Run r = run("perplexity", "--model", TestFiles.stories260K().toString(),
                "--text", TestFiles.data("tinystories_valid_head.txt").toString(),
                "--mode", "dense", "--max-tokens", "512", "--segment", "256", "--threads", "1", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(3.701, json.get("perplexity").asDouble(), 0.0005);
        assertEquals(512, json.get("tokens").asInt());
        assertEquals(2, json.get("segments").size());
    }

    @Test
    void badOptionsAreClearErrors() {
        Run r = run("perplexity", "--model", TestFiles.stories260K().toString(),
                "--text", TestFiles.data("tinystories_valid_head.txt").toString(), "--mode", "sliding");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("--mode must be chunks, dense, window, recompute or streaming"), r.err());
        Run g = run("generate", "--model", "nope.gguf", "--prompt", "x");
        assertTrue(g.err().contains("model file not found: nope.gguf"), g.err());
    }

    @Test
    void kvStorageAppliesToChunksAndDenseModes() throws Exception {
        for (String mode : new String[] {"chunks", "dense"}) {
            double f32 = perplexity(mode, "f32");
            double f16 = perplexity(mode, "f16");
            // half-float keys and values shift the perplexity a little: the option reached the cache
            assertNotEquals(f32, f16, mode);
            assertEquals(f32, f16, 0.01 * f32, mode);
        }
    }

    private static double perplexity(String mode, String kv) throws Exception {
        Run r = run("perplexity", "--model", TestFiles.stories260K().toString(),
                "--text", TestFiles.data("tinystories_valid_head.txt").toString(), "--mode", mode, "--ctx", "128",
                "--chunks", "2", "--max-tokens", "256", "--threads", "1", "--kv", kv, "--json");
        assertEquals(0, r.exit(), r.err());
        return new ObjectMapper().readTree(r.out()).get("perplexity").asDouble();
    }

    @Test
    void cacheOptionsAModeIgnoresAreRefused() {
        String[][] cases = {{"chunks", "--sinks", "8"}, {"chunks", "--window", "64"}, {"chunks", "--policy", "batch"},
                {"dense", "--window", "64"}, {"window", "--sinks", "2"}, {"recompute", "--kv", "f16"}};
        for (String[] c : cases) {
            Run r = run("perplexity", "--model", TestFiles.stories260K().toString(),
                    "--text", TestFiles.data("tinystories_valid_head.txt").toString(), "--mode", c[0], c[1], c[2]);
            assertEquals(1, r.exit(), String.join(" ", c));
            assertTrue(r.err().contains(c[1] + " does not apply to --mode " + c[0]), r.err());
        }
    }
}
