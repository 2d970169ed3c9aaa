package io.sinkserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
