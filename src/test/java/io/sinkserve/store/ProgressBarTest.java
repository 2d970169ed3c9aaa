package io.sinkserve.store;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressBarTest {
    @Test
    void logModePrintsOneLinePerTenPercent() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), false, "m");
        bar.start(0, 1000);
        for (long done = 1; done <= 1000; done++) {
            bar.advance(done);
        }
        bar.finish(1000);
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(11, lines.length, "0%, 10%, ..., 100%");
        assertTrue(lines[10].contains("100%"), lines[10]);
        assertTrue(lines[10].contains("[" + "#".repeat(30) + "]"), lines[10]);
    }

    @Test
    void terminalModeRedrawsInPlace() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), true, "m");
        bar.start(500, 1000);
        bar.finish(1000);
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("m: resuming at 0.0 MiB\n\rm ["), out);
        assertTrue(out.contains(" 50%"), out);
        assertTrue(out.endsWith("100%  0.0 MiB / 0.0 MiB\n") || out.matches("(?s).*100%.*MiB/s\n"), out);
    }

    @Test
    void unknownTotalShowsBytesOnly() {
        ProgressBar bar = new ProgressBar(new PrintStream(new ByteArrayOutputStream()), false, "m");
        bar.start(0, -1);
        assertTrue(bar.line(3 * 1048576).startsWith("m 3.0 MiB"), bar.line(3 * 1048576));
    }
}
