package dev.vireo.http.wire;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/** A java.net socket as a transport: the TLS path, since SSLSocket has no channel. */
public final class SocketTransport implements Transport {
    private final Socket socket;
    private final InputStream input;
    private final OutputStream output;

    public SocketTransport(Socket socket) throws IOException {
        this.socket = socket;
        this.input = socket.getInputStream();
        this.output = socket.getOutputStream();
    }

    @Override
    public InputStream input() {
        return input;
    }

    @Override
    public OutputStream output() {
        return output;
    }

    /** TLS has no half-close of its own: a close_notify ends both directions, so this only flushes. */
    @Override
    public void closeWrite() throws IOException {
        if (socket instanceof SSLSocket) {
            output.flush();
        } else {
            socket.shutdownOutput();
        }
    }

    @Override
    public boolean secure() {
        return socket instanceof SSLSocket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
