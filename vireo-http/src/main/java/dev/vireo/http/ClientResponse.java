package dev.vireo.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A response received by {@link SocketHttpClient}: the head, and the body as a stream that
 * ends with the message. Closing it closes the connection. A 101 response leaves the
 * connection raw: {@link #upgraded()} gives both directions.
 */
public final class ClientResponse implements Closeable {
    private final int status;
    private final Headers headers;
    private final InputStream body;
    private final Hijacked upgraded;
    private final Closeable connection;

    ClientResponse(int status, Headers headers, InputStream body, Hijacked upgraded, Closeable connection) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.upgraded = upgraded;
        this.connection = connection;
    }

    public int status() {
        return status;
    }

    public Headers headers() {
        return headers;
    }

    public String header(String name) {
        return headers.get(name);
    }

    public InputStream body() {
        return body;
    }

    /** The whole body; closes the response. */
    public byte[] bodyBytes() throws IOException {
        try (this) {
            return body.readAllBytes();
        }
    }

    public String bodyText() throws IOException {
        return new String(bodyBytes(), StandardCharsets.UTF_8);
    }

    /** The raw connection after a 101 Switching Protocols (or a hijacking 200). */
    public Hijacked upgraded() {
        if (upgraded == null) throw new IllegalStateException("response " + status + " did not upgrade the connection");
        return upgraded;
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
