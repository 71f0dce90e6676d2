package dev.vireo.http;

import dev.vireo.http.wire.ChannelTransport;
import dev.vireo.http.wire.ChunkedOutputStream;
import dev.vireo.http.wire.Heads;
import dev.vireo.http.wire.HijackedStreams;
import dev.vireo.http.wire.HttpInput;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal HTTP/1.1 client over a socket channel, for Unix-domain API sockets (the VMM's,
 * the daemon's) and plain TCP. One connection per request: cheap on a Unix socket, and the
 * response owns it, so streaming responses (watches, logs) and upgrades need nothing more.
 */
public final class SocketHttpClient {
    private final SocketAddress address;
    private final String host;

    private SocketHttpClient(SocketAddress address, String host) {
        this.address = address;
        this.host = host;
    }

    public static SocketHttpClient unix(Path socket) {
        return new SocketHttpClient(UnixDomainSocketAddress.of(socket), "localhost");
    }

    public static SocketHttpClient tcp(String host, int port) {
        return new SocketHttpClient(new InetSocketAddress(host, port), host + ":" + port);
    }

    public ClientResponse send(String method, String target, Headers headers) throws IOException {
        return send(method, target, headers, Body.empty());
    }

    public ClientResponse send(String method, String target, Headers headers, byte[] body) throws IOException {
        return send(method, target, headers, Body.of(body));
    }

    /** Sends a request; a {@link Body.Streamed} body of unknown length goes chunked. */
    public ClientResponse send(String method, String target, Headers headers, Body body) throws IOException {
        return exchange(method, target, headers, body, false);
    }

    /**
     * Asks to take over the connection ({@code Connection: Upgrade}, {@code Upgrade: tcp}, as
     * the Docker CLI does for attach and exec); a 101 answer leaves it raw in {@link ClientResponse#upgraded()}.
     */
    public ClientResponse upgrade(String method, String target, Headers headers, Body body) throws IOException {
        Headers upgrade = copy(headers).set("Connection", "Upgrade").set("Upgrade", "tcp");
        return exchange(method, target, upgrade, body, true);
    }

    private ClientResponse exchange(String method, String target, Headers headers, Body body, boolean upgrade) throws IOException {
        SocketChannel channel = address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        try {
            channel.connect(address);
            ChannelTransport transport = new ChannelTransport(channel);
            OutputStream out = new BufferedOutputStream(transport.output(), 64 * 1024);
            writeRequest(out, method, target, headers, body, upgrade);
            HttpInput in = new HttpInput(transport.input(), 16 * 1024);
            Heads.ResponseHead head;
            do {
                head = Heads.readResponse(in);
                if (head == null) throw new IOException("server at " + address + " closed the connection without a response");
            } while (head.status() == 100);
            if (upgrade && (head.status() == 101 || head.status() / 100 == 2)) {
                Hijacked raw = new HijackedStreams(in, transport);
                return new ClientResponse(head.status(), head.headers(), in, raw, channel);
            }
            InputStream responseBody = Heads.body(Heads.responseFraming(method, head.status(), head.headers()), in);
            return new ClientResponse(head.status(), head.headers(), responseBody, null, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void writeRequest(OutputStream out, String method, String target, Headers headers, Body body, boolean upgrade)
            throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        if (!headers.contains("Host")) head.append("Host: ").append(host).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        long length = switch (body) {
            case Body.Empty _ -> method.equals("POST") || method.equals("PUT") || method.equals("PATCH") ? 0 : -2;
            case Body.Bytes(byte[] data) -> data.length;
            case Body.Streamed(long declared, Body.Writer _) -> declared;
            case Body.FileRegion(var _, long _, long regionLength) -> regionLength;
            case Body.Upgrade _ -> throw new IllegalArgumentException("a request body cannot be an upgrade");
        };
        if (length >= 0) head.append("Content-Length: ").append(length).append("\r\n");
        else if (length == -1) head.append("Transfer-Encoding: chunked\r\n");
        if (!upgrade && !headers.contains("Connection")) head.append("Connection: close\r\n");
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        switch (body) {
            case Body.Bytes(byte[] data) -> out.write(data);
            case Body.Streamed(long declared, Body.Writer writer) -> {
                if (declared >= 0) {
                    writer.writeTo(out);
                } else {
                    ChunkedOutputStream chunks = new ChunkedOutputStream(out);
                    writer.writeTo(chunks);
                    chunks.finish();
                }
            }
            case Body.FileRegion(Path file, long offset, long regionLength) -> {
                try (InputStream in = Files.newInputStream(file)) {
                    in.skipNBytes(offset);
                    long copied = in.transferTo(new BoundedOutput(out, regionLength));
                    if (copied < regionLength) throw new IOException("file shorter than the region sent: " + file);
                }
            }
            default -> {}
        }
        out.flush();
    }

    private static Headers copy(Headers headers) {
        Headers copy = new Headers();
        headers.forEach(copy::add);
        return copy;
    }

    /** Passes the first {@code limit} bytes, drops the rest. */
    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private long left;

        BoundedOutput(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (left > 0) {
                out.write(b);
                left--;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = (int) Math.min(len, left);
            out.write(b, off, n);
            left -= n;
        }
    }

    @Override
    public String toString() {
        return "http client for " + address;
    }
}
