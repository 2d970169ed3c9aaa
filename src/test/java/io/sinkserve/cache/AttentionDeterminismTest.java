package io.sinkserve.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Attention gives the same bits at every vector width and JIT tier: {@link AttentionBits} runs in fresh
 * JVMs forced to 128, 256 and 512-bit vectors (a width wider than the CPU's runs the Vector API's Java
 * fallback), interpreted only, C1 only, and with C2 compiling everything up front, and all print one CRC.
 */
class AttentionDeterminismTest {

    @Test
    void sameBitsAtEveryWidthAndTier() throws Exception {
        String[][] runs = {
            {"-Dsinkserve.vector.bits=128"},
            {"-Dsinkserve.vector.bits=256"},
            {"-Dsinkserve.vector.bits=512"},
            {"-Dsinkserve.vector.bits=256", "-Xint"},
            {"-Dsinkserve.vector.bits=512", "-XX:TieredStopAtLevel=1"},
            {"-Dsinkserve.vector.bits=128", "-Xbatch", "-XX:-TieredCompilation", "-XX:CompileThreshold=100"},
        };
        String first = null;
        for (String[] flags : runs) {
            String line = run(flags);
            String crc = line.substring(line.indexOf(' ') + 1);
            String width = line.substring(0, line.indexOf(' '));
            assertEquals(flags[0].substring(flags[0].indexOf('=') + 1), width, "the forced width was used");
            if (first == null) {
                first = crc;
            }
            assertEquals(first, crc, "bits with " + String.join(" ", flags));
        }
    }

    private static String run(String... flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-Xmx256m");
        cmd.addAll(List.of(flags));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(AttentionBits.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("forked JVM failed (" + String.join(" ", flags) + "):\n" + out);
        }
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }
}
