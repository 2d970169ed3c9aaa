package io.sinkserve.store;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar. On a terminal it redraws in place with carriage returns; in logs (an init
 * container, CI) it prints a line every 10% instead, so the log stays readable.
 */
public final class ProgressBar implements DownloadProgress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean interactive;
    private final String label;
    private long total = -1;
    private long startBytes;
    private long startNanos;
    private long lastDraw;
    private int lastDecile = -1;

    public ProgressBar(PrintStream out, boolean interactive, String label) {
        this.out = out;
        this.interactive = interactive;
        this.label = label;
    }

    @Override
    public void start(long done, long total) {
        this.total = total;
        this.startBytes = done;
        this.startNanos = System.nanoTime();
        if (done > 0) {
            out.println(label + ": resuming at " + mib(done));
        }
        draw(done, true);
    }

    @Override
    public void advance(long done) {
        draw(done, false);
    }

    @Override
    public void finish(long done) {
        draw(done, true);
        if (interactive) {
            out.println();
        }
        out.flush();
    }

    private void draw(long done, boolean force) {
        if (interactive) {
            long now = System.nanoTime();
            if (!force && now - lastDraw < REDRAW_NANOS) {
                return;
            }
            lastDraw = now;
            out.print("\r" + line(done));
            out.flush();
        } else if (total > 0) {
            int decile = (int) (done * 10 / total);
            if (decile != lastDecile) {
                lastDecile = decile;
                out.println(line(done));
            }
        } else if (force) {
            out.println(line(done));
        }
    }

    /** e.g. {@code stories260K [#########.....] 30%  0.3/1.1 MiB  2.0 MiB/s}. */
    String line(long done) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String rate = seconds > 0.05 ? String.format(Locale.ROOT, "  %.1f MiB/s", (done - startBytes) / 1048576.0 / seconds) : "";
        if (total <= 0) {
            return label + " " + mib(done) + rate;
        }
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        return label + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                + String.format(Locale.ROOT, "%3d%%  %s / %s", done * 100 / total, mib(done), mib(total)) + rate;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
