package dev.vireo.vmm.migration;

import dev.vireo.vmm.migration.stream.Chunk;
import dev.vireo.vmm.migration.stream.ChunkCodec;
import dev.vireo.vmm.migration.stream.Header;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/** One migration connection: chunks out (from any thread, counted), chunks in (from one reader). */
final class Link implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final AtomicLong sent = new AtomicLong();

    Link(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 18);
    }

    synchronized void send(Header header) throws IOException {
        byte[] bytes = header.encode();
        out.write(bytes);
        sent.addAndGet(bytes.length);
    }

    synchronized void send(Chunk chunk) throws IOException {
        byte[] frame = ChunkCodec.encode(chunk);
        out.write(frame);
        sent.addAndGet(frame.length);
    }

    /** Sends {@code chunk} and everything buffered before it. */
    synchronized void sendNow(Chunk chunk) throws IOException {
        send(chunk);
        out.flush();
    }

    synchronized void flush() throws IOException {
        out.flush();
    }

    Header receiveHeader() throws IOException {
        return Header.read(in);
    }

    Chunk receive() throws IOException {
        return ChunkCodec.read(in);
    }

    /** Like {@link #receive}, but a peer silent for {@code millis} is an error rather than a wait forever. */
    Chunk receive(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return ChunkCodec.read(in);
        } finally {
            socket.setSoTimeout(0);
        }
    }

    long bytesSent() {
        return sent.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
