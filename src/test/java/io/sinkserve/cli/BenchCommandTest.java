package io.sinkserve.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = SinkserveCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void reportsPromptAndGenerationRatesPerRepetition() throws IOException {
        Run r = run("bench", "-m", TestFiles.stories260K().toString(), "-t", "2", "-p", "8", "-n", "4", "-r", "2",
                "--warmup", "0", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("llama", j.at("/architecture").asText());
        assertEquals(2, j.at("/threads").asInt());
        assertEquals(292_800, j.at("/parameters").asLong());
        assertEquals("pp8", j.at("/tests/0/name").asText());
        assertEquals("tg4", j.at("/tests/1/name").asText());
        for (JsonNode test : j.at("/tests")) {
            assertEquals(2, test.at("/tokensPerSecond").size());
            for (JsonNode rate : test.at("/tokensPerSecond")) {
                assertTrue(rate.asDouble() > 0 && Double.isFinite(rate.asDouble()), test.toString());
            }
            JsonNode s = test.at("/summary");
            assertTrue(s.at("/min").asDouble() <= s.at("/median").asDouble()
                    && s.at("/median").asDouble() <= s.at("/max").asDouble(), s.toString());
        }
        // stories260K has its own output matrix: decode reads every tensor but only one 64-float embedding row
        // of the 512 x 64 F32 token embedding.
        assertEquals(292_800L * 4 - 512 * 64 * 4 + 64 * 4, j.at("/weightBytesPerDecodeToken").asLong());
        assertEquals(j.at("/weightBytesPerDecodeToken").asLong() * j.at("/tests/1/summary/median").asDouble(),
                j.at("/decodeWeightBandwidth").asDouble(), 1e-6 * j.at("/decodeWeightBandwidth").asDouble());
        assertTrue(j.at("/rssBytes").asLong() > 0);
    }

    @Test
    void tableNamesEachTestAndTheBandwidth() {
        Run r = run("bench", "-m", TestFiles.stories260K().toString(), "-t", "1", "-p", "0", "-n", "3", "-r", "1",
                "--warmup", "0");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("| tg3 |"), r.out());
        assertTrue(!r.out().contains("| pp"), r.out());
        assertTrue(r.out().contains("effective weight bandwidth"), r.out());
    }

    @Test
    void parallelSequencesShareEachStepsWeightTraffic() throws IOException {
        Run r = run("bench", "-m", TestFiles.stories260K().toString(), "-t", "1", "-p", "0", "-n", "4", "-r", "1",
                "--warmup", "0", "--parallel", "3", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("tg4x3", j.at("/tests/0/name").asText());
        assertEquals(j.at("/weightBytesPerDecodeToken").asLong() * j.at("/tests/0/summary/median").asDouble() / 3,
                j.at("/decodeWeightBandwidth").asDouble(), 1e-6 * j.at("/decodeWeightBandwidth").asDouble());
        assertNotEquals(0, run("bench", "-m", TestFiles.stories260K().toString(), "-p", "0", "--parallel", "0").exit());
    }

    @Test
    void depthNamesTheTestsLikeLlamaBenchAndIsReported() throws IOException {
        Run r = run("bench", "-m", TestFiles.stories260K().toString(), "-t", "1", "-p", "4", "-n", "3", "-r", "1",
                "--warmup", "0", "-d", "20", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(20, j.at("/depth").asInt());
        assertEquals("pp4 @ d20", j.at("/tests/0/name").asText());
        assertEquals("tg3 @ d20", j.at("/tests/1/name").asText());
        Run parallel = run("bench", "-m", TestFiles.stories260K().toString(), "-t", "1", "-p", "0", "-n", "2", "-r", "1",
                "--warmup", "0", "--depth", "5", "--parallel", "2");
        assertEquals(0, parallel.exit(), parallel.err());
        assertTrue(parallel.out().contains("| tg2x2 @ d5 |"), parallel.out());
        Run negative = run("bench", "-m", TestFiles.stories260K().toString(), "-d", "-1");
        assertNotEquals(0, negative.exit());
        assertTrue(negative.err().contains("--depth must not be negative"), negative.err());
    }

    @Test
    void readBandwidthGivesDecodesShareOfIt() throws IOException {
        Run r = run("bench", "-m", TestFiles.stories260K().toString(), "-t", "2", "-p", "0", "-n", "3", "-r", "1",
                "--warmup", "0", "--read-bandwidth", "64", "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        double read = j.at("/readBandwidth").asDouble();
        assertTrue(read > 1e8 && Double.isFinite(read), "read bandwidth " + read);
        assertEquals(j.at("/decodeWeightBandwidth").asDouble() / read, j.at("/bandwidthShare").asDouble(), 1e-9);
        Run table = run("bench", "-m", TestFiles.stories260K().toString(), "-t", "1", "-p", "0", "-n", "2", "-r", "1",
                "--warmup", "0", "--read-bandwidth", "16");
        assertTrue(table.out().contains("measured read bandwidth with 1 threads"), table.out());
        assertTrue(table.out().contains("decode weight traffic is"), table.out());
        Run without = run("bench", "-m", TestFiles.stories260K().toString(), "-t", "1", "-p", "0", "-n", "2", "-r", "1",
                "--warmup", "0", "--json");
        assertTrue(new ObjectMapper().readTree(without.out()).at("/readBandwidth").isNull(), without.out());
        assertNotEquals(0, run("bench", "-m", TestFiles.stories260K().toString(), "--read-bandwidth", "0").exit());
    }

    @Test
    void rejectsAnEmptyBenchmark() {
        Run r = run("bench", "-m", TestFiles.stories260K().toString(), "-p", "0", "-n", "0");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("at least one must be positive"), r.err());
    }
}
