package io.sinkserve.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads a URL into a partial file, resuming with an HTTP Range request from the bytes a previous
 * attempt left there. Follows redirects (Hugging Face's resolve URLs redirect to a CDN). Uses
 * HttpURLConnection because it has a read timeout: a stalled transfer fails instead of hanging an
 * init container forever.
 */
public final class HttpDownloader {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");

    private final int stallTimeoutMillis;

    /** @param stallTimeout how long a read may wait for the next bytes before the attempt fails */
    public HttpDownloader(Duration stallTimeout) {
        this.stallTimeoutMillis = Math.toIntExact(stallTimeout.toMillis());
    }

    public HttpDownloader() {
        this(Duration.ofSeconds(60));
    }

    /** Fills {@code part} with the whole resource; returns its size. A failure leaves what arrived, for the next try. */
    public long download(URI url, Path part, DownloadProgress progress) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpURLConnection http = (HttpURLConnection) url.toURL().openConnection();
        try {
            http.setConnectTimeout(30_000);
            http.setReadTimeout(stallTimeoutMillis);
            http.setInstanceFollowRedirects(true);
            if (have > 0) {
                http.setRequestProperty("Range", "bytes=" + have + "-");
            }
            int status = http.getResponseCode();
            if (status == 416 && have > 0) {
                // Nothing past our end: the part is complete if the server's length agrees, else it is junk.
                if (unsatisfiedRangeLength(http) == have) {
                    progress.start(have, have);
                    progress.finish(have);
                    return have;
                }
                Files.delete(part);
                return download(url, part, progress);
            }
            boolean append;
            long total;
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(header(http, "Content-Range"));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    throw new IOException("server answered the resume request from " + url + " with a wrong Content-Range");
                }
                append = true;
                total = m.group(2).equals("*") ? -1 : Long.parseLong(m.group(2));
            } else if (status == 200) {
                append = false; // the server ignored the Range header: start over
                have = 0;
                total = http.getContentLengthLong();
            } else {
                throw new ModelStoreException("download failed: HTTP " + status + " from " + url);
            }
            progress.start(have, total);
            try (InputStream body = http.getInputStream()) {
                have = copy(body, part, append, have, progress);
            }
            progress.finish(have);
            if (total >= 0 && have != total) {
                throw new IOException("connection closed after " + have + " of " + total + " bytes");
            }
            return have;
        } finally {
            http.disconnect();
        }
    }

    private static long copy(InputStream body, Path part, boolean append, long have, DownloadProgress progress) throws IOException {
        StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = body.read(buf)) > 0) {
                out.write(buf, 0, n);
                have += n;
                progress.advance(have);
            }
        }
        return have;
    }

    private static long unsatisfiedRangeLength(HttpURLConnection http) {
        Matcher m = UNSATISFIED_RANGE.matcher(header(http, "Content-Range"));
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String header(HttpURLConnection http, String name) {
        String v = http.getHeaderField(name);
        return v == null ? "" : v;
    }
}
