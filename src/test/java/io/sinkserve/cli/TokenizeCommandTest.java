package io.sinkserve.cli;

import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizeCommandTest {

    private static String run(StringWriter err, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = SinkserveCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        cl.getSubcommands().get("tokenize").setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        cl.execute(args);
        return out.toString();
    }

    @Test
    void printsIdsAndPieces() {
        String model = TestFiles.stories260K().toString();
        String out = run(new StringWriter(), "tokenize", model, "Once upon a time");
        assertEquals(String.join(System.lineSeparator(), "      1  <s>", "    403  ' Once'", "    407  ' upon'",
                "    261  ' a'", "    378  ' time'", ""), out);
        String noBos = run(new StringWriter(), "tokenize", "--no-bos", model, "Once");
        assertEquals("    403  ' Once'" + System.lineSeparator(), noBos);
    }

    @Test
    void specialOptionParsesControlTokens() {
        String model = TestFiles.model("vocab-only/ggml-vocab-llama-bpe.gguf").toString();
        assertTrue(run(new StringWriter(), "tokenize", "--special", model, "<|eot_id|>").contains("128009  <|eot_id|>"));
        assertFalse(run(new StringWriter(), "tokenize", model, "<|eot_id|>").contains("128009"));
    }

    @Test
    void missingTextIsAClearError() {
        StringWriter err = new StringWriter();
        run(err, "tokenize", TestFiles.stories260K().toString());
        assertTrue(err.toString().contains("give either TEXT or --file PATH"), err.toString());
    }
}
