package io.sinkserve.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A minimal line chart rendered with java.awt (headless) to PNG, so benchmark plots need no outside tool. */
public final class LinePlot {
    public record Series(String name, double[] x, double[] y) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x values but " + y.length + " y values");
            }
        }
    }

    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
            new Color(0xbcbd22), new Color(0x17becf)};
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();

    public LinePlot(String title, String xLabel, String yLabel, boolean logY) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logY = logY;
    }

    public LinePlot add(Series s) {
        series.add(s);
        return this;
    }

    public void writePng(Path out, int width, int height) throws IOException {
        ImageIO.write(render(width, height), "png", out.toFile());
    }

    public BufferedImage render(int width, int height) {
        if (series.isEmpty()) {
            throw new IllegalStateException("nothing to plot");
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            Frame f = frame(width, height);
            drawAxes(g, f, width, height);
            drawSeries(g, f);
            drawLegend(g, f);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Data ranges and the pixel box they map to; y is in log10 units when logY. */
    private record Frame(double x0, double x1, double y0, double y1, int left, int top, int w, int h) {
        int px(double x) {
            return left + (int) Math.round((x - x0) / (x1 - x0) * w);
        }

        int py(double yScaled) {
            return top + h - (int) Math.round((yScaled - y0) / (y1 - y0) * h);
        }
    }

    private double scaleY(double y) {
        return logY ? Math.log10(y) : y;
    }

    private Frame frame(int width, int height) {
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!plottable(s.y()[i])) {
                    continue;
                }
                x0 = Math.min(x0, s.x()[i]);
                x1 = Math.max(x1, s.x()[i]);
                y0 = Math.min(y0, scaleY(s.y()[i]));
                y1 = Math.max(y1, scaleY(s.y()[i]));
            }
        }
        if (x0 > x1) {
            throw new IllegalStateException("no finite points to plot");
        }
        x0 = Math.min(x0, 0); // curves over "tokens into the stream" read best from the origin
        if (x1 == x0) {
            x1 = x0 + 1;
        }
        double pad = Math.max((y1 - y0) * 0.05, logY ? 0.02 : 1e-6 + Math.abs(y1) * 0.01);
        return new Frame(x0, x1, y0 - pad, y1 + pad, LEFT, TOP, width - LEFT - RIGHT, height - TOP - BOTTOM);
    }

    private boolean plottable(double y) {
        return Double.isFinite(y) && (!logY || y > 0);
    }

    private void drawAxes(Graphics2D g, Frame f, int width, int height) {
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        g.drawString(title, (width - fm.stringWidth(title)) / 2, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        fm = g.getFontMetrics();
        for (double t : ticks(f.x0(), f.x1())) {
            int x = f.px(t);
            gridLine(g, x, f.top(), x, f.top() + f.h());
            String s = label(t);
            g.drawString(s, x - fm.stringWidth(s) / 2, f.top() + f.h() + 18);
        }
        for (double t : logY ? logTicks(f.y0(), f.y1()) : ticks(f.y0(), f.y1())) {
            int y = f.py(t);
            gridLine(g, f.left(), y, f.left() + f.w(), y);
            String s = label(logY ? Math.pow(10, t) : t);
            g.drawString(s, f.left() - 8 - fm.stringWidth(s), y + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(f.left(), f.top(), f.w(), f.h());
        g.drawString(xLabel, f.left() + (f.w() - fm.stringWidth(xLabel)) / 2, height - 20);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        String yl = logY ? yLabel + " (log scale)" : yLabel;
        r.drawString(yl, -(f.top() + (f.h() + fm.stringWidth(yl)) / 2), 20);
        r.dispose();
    }

    private static void gridLine(Graphics2D g, int x0, int y0, int x1, int y1) {
        g.setColor(new Color(0xe0e0e0));
        g.drawLine(x0, y0, x1, y1);
        g.setColor(Color.BLACK);
    }

    private void drawSeries(Graphics2D g, Frame f) {
        g.setStroke(new BasicStroke(2f));
        g.setClip(f.left(), f.top(), f.w() + 1, f.h() + 1);
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            g.setColor(PALETTE[k % PALETTE.length]);
            int prevX = 0, prevY = 0;
            boolean havePrev = false;
            for (int i = 0; i < s.x().length; i++) {
                if (!plottable(s.y()[i])) {
                    havePrev = false;
                    continue;
                }
                int x = f.px(s.x()[i]);
                int y = f.py(scaleY(s.y()[i]));
                if (havePrev) {
                    g.drawLine(prevX, prevY, x, y);
                }
                g.fillOval(x - 3, y - 3, 6, 6);
                prevX = x;
                prevY = y;
                havePrev = true;
            }
        }
        g.setClip(null);
    }

    private void drawLegend(Graphics2D g, Frame f) {
        FontMetrics fm = g.getFontMetrics();
        int lineH = fm.getHeight() + 2;
        int w = 0;
        for (Series s : series) {
            w = Math.max(w, fm.stringWidth(s.name()));
        }
        int x = f.left() + 18; // top left: perplexity curves start low, so this corner is usually empty
        int y = f.top() + 10;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(x - 8, y - 4, w + 44, lineH * series.size() + 8);
        g.setColor(Color.GRAY);
        g.drawRect(x - 8, y - 4, w + 44, lineH * series.size() + 8);
        for (int k = 0; k < series.size(); k++) {
            int ly = y + k * lineH + lineH / 2;
            g.setColor(PALETTE[k % PALETTE.length]);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(x, ly, x + 24, ly);
            g.setColor(Color.BLACK);
            g.drawString(series.get(k).name(), x + 30, ly + fm.getAscent() / 2 - 1);
        }
    }

    /** About six evenly spaced round values (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        double raw = (hi - lo) / 6;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        double first = Math.ceil(lo / step) * step;
        int n = (int) Math.floor((hi - first) / step) + 1;
        double[] t = new double[Math.max(n, 0)];
        for (int i = 0; i < t.length; i++) {
            t[i] = first + i * step;
        }
        return t;
    }

    /** For a log10 axis: 1, 2, 5 × 10^k inside [lo, hi] (in log10 units), or plain ticks when that is too few. */
    static double[] logTicks(double lo, double hi) {
        List<Double> t = new ArrayList<>();
        for (int k = (int) Math.floor(lo); k <= Math.ceil(hi); k++) {
            for (double m : new double[] {1, 2, 5}) {
                double v = k + Math.log10(m);
                if (v >= lo && v <= hi) {
                    t.add(v);
                }
            }
        }
        if (t.size() >= 3) {
            return t.stream().mapToDouble(Double::doubleValue).toArray();
        }
        double[] linear = ticks(Math.pow(10, lo), Math.pow(10, hi));
        double[] out = new double[linear.length];
        for (int i = 0; i < linear.length; i++) {
            out[i] = Math.log10(linear[i]);
        }
        return out;
    }

    private static String label(double v) {
        if (Math.abs(v - Math.rint(v)) < 1e-9 * Math.max(1, Math.abs(v))) {
            return Long.toString(Math.round(v));
        }
        return String.format("%.3g", v);
    }
}
