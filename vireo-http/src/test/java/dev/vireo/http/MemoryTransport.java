package dev.vireo.http;

import dev.vireo.http.wire.Http1Connection;
import dev.vireo.http.wire.Transport;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A connection whose peer is a byte array: the protocol tested bytes in, bytes out. */
final class MemoryTransport implements Transport {
    private final InputStream input;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    boolean writeClosed;

    MemoryTransport(String bytesIn) {
        this.input = new ByteArrayInputStream(bytesIn.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Serves everything {@code bytesIn} holds and returns what the server wrote. */
    static String exchange(Handler handler, String bytesIn) {
        MemoryTransport transport = new MemoryTransport(bytesIn);
        new Http1Connection(transport, handler).serve();
        return transport.output.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    @Override
    public void closeWrite() {
        writeClosed = true;
    }

    @Override
    public boolean secure() {
        return false;
    }

    @Override
    public void close() {}
}
