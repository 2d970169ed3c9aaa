package io.sinkserve.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.sinkserve.cli.SinkserveCommand;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI's {@code generate} and the server's {@code POST /v1/completions} run one generation state machine
 * (the scheduler's steps): the same prompt, sampling settings and seed give the same text, sampled or greedy,
 * whether the prompt fits one prefill chunk or takes several.
 */
@QuarkusTest
class CliMatchesServerTest extends ServiceTestBase {

    @ParameterizedTest
    @CsvSource({
            "Once upon a time, 0.9, 42, 48",
            "Once upon a time, 0, 0, 40",
            // 70 tokens: two prefill chunks of the default 64
            "'The little dog ran to the park. He saw a big red ball and a small blue ball. He played with the red ball all day long, and then he went home to sleep in his warm bed.', 1.1, 7, 32"
    })
    void theCliAndTheServerGiveTheSameTextForTheSameRequestAndSeed(String prompt, float temperature, long seed,
                                                                  int maxTokens) throws Exception {
        String body = "{\"prompt\":" + Http.quote(prompt) + ",\"max_tokens\":" + maxTokens + ",\"temperature\":"
                + temperature + ",\"top_k\":40,\"top_p\":0.95,\"min_p\":0.05,\"repeat_penalty\":1.1,\"repeat_last_n\":64,"
                + "\"presence_penalty\":0,\"frequency_penalty\":0,\"seed\":" + seed + "}";
        JsonNode server = Http.json(http.post("/v1/completions", body).body());
        String serverText = server.at("/choices/0/text").asText();

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SinkserveCommand.commandLine();
        cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exit = cli.execute("generate", "--model", TestFiles.stories260K().toString(), "--prompt", prompt,
                "--max-tokens", String.valueOf(maxTokens), "--temperature", String.valueOf(temperature), "--top-k", "40",
                "--top-p", "0.95", "--min-p", "0.05", "--repeat-penalty", "1.1", "--repeat-last-n", "64",
                "--presence-penalty", "0", "--frequency-penalty", "0", "--seed", String.valueOf(seed), "--threads", "1");
        assertEquals(0, exit, err.toString());

        assertTrue(serverText.length() > 20, "a real continuation: " + server);
        assertEquals(serverText, out.toString(), "CLI vs server; server said " + server);
        assertTrue(err.toString().contains("prompt: " + server.at("/usage/prompt_tokens").asInt() + " tokens"), err.toString());
    }
}
