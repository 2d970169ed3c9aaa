package io.sinkserve.cli;

import io.sinkserve.testing.TestFiles;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** serve's flags, checked without starting a server: ServeCommandIT starts one. */
class ServeCommandTest {
    /** flag → the configuration key it must set, as README.md (Configuration) documents them. */
    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("--model", "sinkserve.model");
        KEYS.put("--model-name", "sinkserve.model-name");
        KEYS.put("--host", "quarkus.http.host");
        KEYS.put("--port", "quarkus.http.port");
        KEYS.put("--threads", "sinkserve.threads");
        KEYS.put("--sinks", "sinkserve.cache.sinks");
        KEYS.put("--window", "sinkserve.cache.window");
        KEYS.put("--policy", "sinkserve.cache.policy");
        KEYS.put("--kv-storage", "sinkserve.cache.kv-storage");
        KEYS.put("--max-running", "sinkserve.limits.max-running");
        KEYS.put("--api-key", "sinkserve.api.keys");
        KEYS.put("--api-keys-file", "sinkserve.api.keys-file");
        KEYS.put("--allow-unauthenticated", "sinkserve.api.allow-unauthenticated");
        KEYS.put("--chat-template", "sinkserve.chat-template");
    }

    private record Run(int exit, String err, ServeCommand command) {
    }

    /** Settings a @QuarkusTest profile left as system properties in this JVM (keys, limits), put back afterwards. */
    private final Map<String, String> ambient = new LinkedHashMap<>();

    @BeforeEach
    void setAsideAmbientSettings() {
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("sinkserve.") || key.startsWith("quarkus.http.")) {
                ambient.put(key, System.clearProperty(key));
            }
        }
    }

    @AfterEach
    void restoreAmbientSettings() {
        ambient.forEach(System::setProperty);
    }

    private static Run run(String... args) {
        ServeCommand command = new ServeCommand();
        CommandLine cl = ServeCommand.commandLine(command);
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int exit = cl.execute(args);
        return new Run(exit, err.toString(), command);
    }

    private static String model() {
        return TestFiles.stories260K().toString();
    }

    @Test
    void everyFlagReachesItsKey(@TempDir Path dir) throws IOException {
        Path keys = Files.writeString(dir.resolve("keys"), "k3\n");
        Run r = run("--model", model(), "--model-name", "tiny", "--host", "0.0.0.0", "--port", "18777", "-t", "2",
                "--sinks", "3", "--window", "60", "--policy", "batch", "--kv-storage", "f16", "--max-running", "5",
                "--api-key", "k1", "--api-key", "k,2", "--api-keys-file", keys.toString(), "--allow-unauthenticated",
                "--chat-template", "chatml", "--config", "sinkserve.limits.max-waiting=7", "--config", "quarkus.log.level=WARN");
        assertEquals(0, r.exit(), r.err());
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("sinkserve.limits.max-waiting", "7");
        expected.put("quarkus.log.level", "WARN");
        expected.put("sinkserve.model", model());
        expected.put("sinkserve.model-name", "tiny");
        expected.put("quarkus.http.host", "0.0.0.0");
        expected.put("quarkus.http.port", "18777");
        expected.put("sinkserve.threads", "2");
        expected.put("sinkserve.cache.sinks", "3");
        expected.put("sinkserve.cache.window", "60");
        expected.put("sinkserve.cache.policy", "batch");
        expected.put("sinkserve.cache.kv-storage", "f16");
        expected.put("sinkserve.limits.max-running", "5");
        expected.put("sinkserve.api.keys", "k1,k\\,2");
        expected.put("sinkserve.api.keys-file", keys.toString());
        expected.put("sinkserve.api.allow-unauthenticated", "true");
        expected.put("sinkserve.chat-template", "chatml");
        assertEquals(expected, r.command().checkedSettings());
        assertEquals(KEYS.keySet().size() + 2, expected.size(), "every flag of the table is exercised");
    }

    @Test
    void aNamedFlagWinsOverTheSameKeyInConfig() {
        Run r = run("--model", model(), "--config", "sinkserve.cache.sinks=9", "--sinks", "2");
        assertEquals(0, r.exit(), r.err());
        assertEquals("2", r.command().checkedSettings().get("sinkserve.cache.sinks"));
    }

    @Test
    void everyOptionIsInTheTableAndItsHelpNamesItsKeyAndEnvironmentVariable() {
        List<String> options = new ArrayList<>();
        for (OptionSpec o : new CommandLine(new ServeCommand()).getCommandSpec().options()) {
            String flag = o.longestName();
            if (o.usageHelp() || o.versionHelp() || flag.equals("--config")) {
                continue;
            }
            options.add(flag);
            String key = KEYS.get(flag);
            assertNotNull(key, flag + " is not in the table of flags and keys");
            String help = String.join(" ", o.description());
            String env = key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            assertTrue(help.contains("(" + key + ", env " + env), flag + " help names " + key + " and " + env + ": " + help);
        }
        assertEquals(List.copyOf(KEYS.keySet()).stream().sorted().toList(), options.stream().sorted().toList());
    }

    @Test
    void anUnknownFlagIsOneLineAndNoStart() {
        Run r = run("--bogus");
        assertEquals(2, r.exit());
        assertOneLine(r, "Unknown option: '--bogus'");
    }

    @Test
    void aMissingModelFileIsOneLineAndNoStart() {
        Run r = run("--model", "no/such/model.gguf");
        assertEquals(1, r.exit());
        assertOneLine(r, "model file not found: ");
    }

    @Test
    void badValuesAreOneLineAndNoStart() {
        for (String[] args : List.of(new String[] {"--port", "eighty"}, new String[] {"--port", "70000"},
                new String[] {"--policy", "fifo"}, new String[] {"--kv-storage", "f8"}, new String[] {"--sinks", "-1"},
                new String[] {"--window", "0"}, new String[] {"--max-running", "0"}, new String[] {"--threads", "-3"},
                new String[] {"--config", "no-equals-sign"}, new String[] {"--config", "sinkserve.limits.max-waiting=many"},
                new String[] {"--api-keys-file", "no/such/keys"})) {
            List<String> line = new ArrayList<>(List.of("--model", model()));
            line.addAll(List.of(args));
            Run r = run(line.toArray(String[]::new));
            assertTrue(r.exit() != 0, String.join(" ", args) + " was accepted");
            assertOneLine(r, "sinkserve serve: ");
        }
    }

    @Test
    void aCacheSettingIsCheckedAgainstTheModelBeforeTheStartAndNamedByItsKey() {
        // stories260K's context is 2048 tokens, so the default window beside the 4 sinks is 2044
        assertOneLine(run("--model", model(), "--config", "sinkserve.cache.batch-size=2045"),
                "sinkserve.cache.batch-size must be between 1 and the window (2044), got 2045");
        assertOneLine(run("--model", model(), "--sinks", "2048"), "sinkserve.cache.sinks must leave room for a window");
        assertOneLine(run("--model", model(), "--window", "0"), "sinkserve.cache.window must be at least 1, got 0");
        assertEquals(0, run("--model", model(), "--config", "sinkserve.cache.batch-size=2044").exit());
    }

    @Test
    void aNonLoopbackAddressNeedsAKeyOrExplicitPermission() {
        Run open = run("--model", model(), "--host", "0.0.0.0");
        assertEquals(1, open.exit());
        assertOneLine(open, "refusing to listen on 0.0.0.0 with no API key");
        assertEquals(0, run("--model", model(), "--host", "0.0.0.0", "--api-key", "k").exit());
        assertEquals(0, run("--model", model(), "--host", "0.0.0.0", "--allow-unauthenticated").exit());
        assertEquals(0, run("--model", model()).exit(), "the default address is loopback");
        assertEquals(0, run("--model", model(), "--host", "127.0.0.1").exit());
        assertEquals(0, run("--model", model(), "--host", "localhost").exit());
    }

    @Test
    void helpStartsNothing() {
        Run r = run("--help");
        assertEquals(0, r.exit());
        assertNull(r.command().checkedSettings());
    }

    private static void assertOneLine(Run r, String expected) {
        assertNull(r.command().checkedSettings(), "the server would start");
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "one line, got:\n" + r.err());
        assertTrue(lines.getFirst().startsWith("sinkserve serve: ") && lines.getFirst().contains(expected), lines.getFirst());
    }
}
