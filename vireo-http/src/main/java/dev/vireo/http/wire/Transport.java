package dev.vireo.http.wire;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.WritableByteChannel;

/** One accepted connection's byte streams, whatever carries them (TCP, TLS, Unix socket, memory). */
public interface Transport extends Closeable {
    InputStream input();

    OutputStream output();

    /** Half-closes: the peer reads EOF, this side can still read. */
    void closeWrite() throws IOException;

    boolean secure();

    /** The socket as a channel, for sending file regions from a direct buffer; null when there is none. */
    default WritableByteChannel channel() {
        return null;
    }
}
