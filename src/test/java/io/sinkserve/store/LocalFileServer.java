package io.sinkserve.store;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Serves one byte array on 127.0.0.1 like a file host: honours {@code Range: bytes=N-}, can drop a response midway. */
public final class LocalFileServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final byte[] content;
    private final List<String> rangeHeaders = new CopyOnWriteArrayList<>();
    private volatile boolean honourRange = true;
    private volatile int cutNextResponseAfter = -1;

    public LocalFileServer(byte[] content) throws IOException {
        this.content = content;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/model.gguf", this::serve);
        server.createContext("/redirect", ex -> {
            ex.getResponseHeaders().add("Location", "/model.gguf");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        server.start();
    }

    public URI uri() {
        return uri("/model.gguf");
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The Range header of every request, "" when absent. */
    public List<String> rangeHeaders() {
        return rangeHeaders;
    }

    public void ignoreRange() {
        honourRange = false;
    }

    /** The next response announces its full length but stalls for good after {@code bytes} bytes. */
    public void cutNextResponseAfter(int bytes) {
        cutNextResponseAfter = bytes;
    }

    private void serve(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        rangeHeaders.add(range == null ? "" : range);
        int from = 0;
        Matcher m = range == null ? null : RANGE.matcher(range);
        if (honourRange && m != null && m.matches()) {
            from = Integer.parseInt(m.group(1));
            if (from >= content.length) {
                ex.getResponseHeaders().add("Content-Range", "bytes */" + content.length);
                ex.sendResponseHeaders(416, -1);
                ex.close();
                return;
            }
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
            ex.sendResponseHeaders(206, content.length - from);
        } else {
            ex.sendResponseHeaders(200, content.length);
        }
        int cut = cutNextResponseAfter;
        cutNextResponseAfter = -1;
        OutputStream body = ex.getResponseBody();
        if (cut >= 0) {
            body.write(content, from, cut);
            body.flush();
            return; // the exchange stays open and silent until the server stops
        }
        body.write(content, from, content.length - from);
        ex.close();
    }


    @Override
    public void close() {
        server.stop(0);
    }
}
