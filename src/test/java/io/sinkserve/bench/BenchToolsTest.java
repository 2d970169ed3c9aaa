package io.sinkserve.bench;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchToolsTest {
    @Test
    void rssIsParsedFromProcStatusInBytes() {
        String status = "Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t   12345 kB\nThreads:\t4\n";
        assertEquals(12345L * 1024, ProcessMemory.parseRss(status));
        assertEquals(-1, ProcessMemory.parseRss("Name:\tjava\n"));
    }

    @Test
    void percentilesUseTheNearestRank() {
        LatencySegment s = new LatencySegment(100);
        for (int i = 100; i >= 1; i--) {
            s.record(i * 1_000_000L);
        }
        assertTrue(s.isFull());
        assertEquals(50.0, s.percentileMillis(50), 1e-9);
        assertEquals(99.0, s.percentileMillis(99), 1e-9);
        assertEquals(100.0, s.percentileMillis(100), 1e-9);
    }

    @Test
    void ticksAreRoundValuesInsideTheRange() {
        assertArrayEquals(new double[] {0, 2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000},
                LinePlot.ticks(0, 16384), 1e-9);
        double[] log = LinePlot.logTicks(0, 3);  // 1 .. 1000
        assertEquals(0.0, log[0], 1e-12);
        assertEquals(3.0, log[log.length - 1], 1e-12);
    }

    @Test
    void rendersEachSeriesInItsOwnColour() {
        System.setProperty("java.awt.headless", "true");
        LinePlot p = new LinePlot("t", "x", "y", true)
                .add(new LinePlot.Series("flat", new double[] {0, 1, 2}, new double[] {4, 4, 4}))
                .add(new LinePlot.Series("rising", new double[] {0, 1, 2}, new double[] {4, 40, 400}));
        BufferedImage img = p.render(400, 300);
        assertTrue(countRgb(img, 0x1f77b4) > 50, "first series drawn");
        assertTrue(countRgb(img, 0xd62728) > 50, "second series drawn");
    }

    private static int countRgb(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
