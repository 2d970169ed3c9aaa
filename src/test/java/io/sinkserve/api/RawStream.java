package io.sinkserve.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A POST over a bare socket, for what an HTTP client library hides: reading a stream only partly and then
 * hanging up, or never reading at all (with a small receive buffer, so the server's writes back up).
 */
final class RawStream implements AutoCloseable {
    private final Socket socket;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private RawStream(Socket socket) {
        this.socket = socket;
    }

    static RawStream post(URI base, String path, String json, int receiveBuffer, String... headers) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 10_000);
        s.setSoTimeout(60_000);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        req.append("\r\n");
        s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(body);
        s.getOutputStream().flush();
        return new RawStream(s);
    }

    /** Reads until {@code marker} has arrived; returns everything read so far. */
    String readUntil(String marker) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[256];
        while (!received.toString(StandardCharsets.UTF_8).contains(marker)) {
            int n = in.read(buf);
            if (n < 0) {
                throw new IOException("connection closed before '" + marker + "': " + received.toString(StandardCharsets.UTF_8));
            }
            received.write(buf, 0, n);
        }
        return received.toString(StandardCharsets.UTF_8);
    }

    /** Hangs up without reading the rest. */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
