package dev.vireo.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A response body: how its bytes are produced decides how the response is framed. */
public sealed interface Body {
    /** No content. */
    record Empty() implements Body {}

    /** Content held in memory. */
    record Bytes(byte[] data) implements Body {}

    /**
     * Content written by a callback as it is produced: with {@code length >= 0} it is sent
     * with that Content-Length and the writer must produce exactly that many bytes; with
     * {@code length < 0} it is sent chunked (or, to an HTTP/1.0 client, until close).
     */
    record Streamed(long length, Writer writer) implements Body {}

    /** A region of a file, sent through a direct buffer (not the Java heap) where the transport is a channel. */
    record FileRegion(Path file, long offset, long length) implements Body {}

    /**
     * The connection is handed over after the head: the handler's callback owns the raw
     * streams until it returns, then the connection closes.
     */
    record Upgrade(Hijack hijack) implements Body {}

    /** Produces a streamed body. */
    @FunctionalInterface
    interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Runs a hijacked connection. */
    @FunctionalInterface
    interface Hijack {
        void run(Hijacked connection) throws IOException;
    }

    static Body empty() {
        return new Empty();
    }

    static Body of(byte[] data) {
        return new Bytes(data);
    }

    static Body of(String text) {
        return new Bytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
