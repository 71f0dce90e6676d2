package dev.vireo.http.wire;

import dev.vireo.http.Body;
import dev.vireo.http.Handler;
import dev.vireo.http.Headers;
import dev.vireo.http.Request;
import dev.vireo.http.Response;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;

/**
 * Serves the requests of one connection in turn (keep-alive, no pipelining reordering):
 * parse a head, hand the request with its body stream to the handler, frame its response,
 * then drain what the handler left unread so the next request starts at its first byte.
 * A malformed message gets its status and the connection closes, since where the next
 * message would start is then unknown.
 */
public final class Http1Connection {
    /** Unread request body the server reads away to keep a connection; past it, the connection closes. */
    static final long DRAIN_LIMIT = 256 * 1024;
    /** What a lingering close still reads, so the client sees the response rather than a reset. */
    static final long LINGER_LIMIT = 8L * 1024 * 1024;
    private static final System.Logger LOG = System.getLogger("dev.vireo.http");
    private static final int FILE_BUFFER = 1024 * 1024;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final Transport transport;
    private final Handler handler;
    private final HttpInput in;
    private final OutputStream out;
    /** When the connection began waiting for a request head ({@link System#nanoTime}), or 0 while one is served. */
    private volatile long idleSince = System.nanoTime();

    public Http1Connection(Transport transport, Handler handler) {
        this.transport = transport;
        this.handler = handler;
        this.in = new HttpInput(transport.input(), 16 * 1024);
        this.out = new BufferedOutputStream(transport.output(), 64 * 1024);
    }

    /** Serves requests until either side closes; closes the transport. */
    public void serve() {
        try (transport) {
            while (serveOne()) {
                // next request on the same connection
            }
        } catch (IOException e) {
            // The peer went away or the transport failed mid-message; nothing more to say to it.
        }
    }

    /**
     * Whether the connection has waited longer than {@code timeoutNanos} for (the rest of) a
     * request head: idle keep-alive connections and slow senders of heads are both closed by the
     * server's reaper, while a request being served, however long, is never idle.
     */
    public boolean idleLongerThan(long timeoutNanos, long now) {
        long since = idleSince;
        return since != 0 && now - since > timeoutNanos;
    }

    private boolean serveOne() throws IOException {
        Heads.RequestHead head;
        Heads.Framing framing;
        idleSince = System.nanoTime();
        try {
            head = Heads.readRequest(in);
            if (head == null) return false;
            framing = Heads.requestFraming(head.headers());
        } catch (ProtocolException e) {
            writeError(e);
            return false;
        } finally {
            idleSince = 0;
        }
        boolean expectContinue = head.http11() && head.headers().hasToken("Expect", "100-continue");
        BodyInput body = new BodyInput(Heads.body(framing, in), framing instanceof Heads.Framing.None, expectContinue);
        Request request = new Request(head.method(), head.target(), head.version(), head.headers(), body, transport.secure());
        Response response;
        try {
            response = handler.handle(request);
        } catch (ProtocolException e) {
            writeError(e);
            return false;
        } catch (IOException | RuntimeException e) {
            if (body.failed) return false; // the connection broke while reading the body: nobody to answer
            LOG.log(System.Logger.Level.WARNING, "handler failed on " + request, e);
            response = Response.text(500, "internal error: " + e.getMessage());
        }
        boolean keepAlive = wantsKeepAlive(head) && !response.headers().hasToken("Connection", "close");
        boolean bodyDone = body.finished();
        if (!bodyDone) {
            if (expectContinue && !body.started) {
                keepAlive = false; // the client waits for 100 Continue before sending; never reading it is fine
                bodyDone = true;
            } else {
                bodyDone = body.drain(DRAIN_LIMIT);
                if (!bodyDone) keepAlive = false;
            }
        }
        if (response.body() instanceof Body.Upgrade(Body.Hijack hijack)) {
            writeHead(head, response, true, null);
            out.flush();
            hijack.run(new HijackedStreams(in, transport));
            out.flush();
            return false;
        }
        writeResponse(head, response, keepAlive);
        if (!keepAlive) {
            if (!bodyDone) {
                transport.closeWrite();
                body.drain(LINGER_LIMIT);
            }
            return false;
        }
        return true;
    }

    private static boolean wantsKeepAlive(Heads.RequestHead head) {
        if (head.headers().hasToken("Connection", "close")) return false;
        return head.http11() || head.headers().hasToken("Connection", "keep-alive");
    }

    private void writeResponse(Heads.RequestHead head, Response response, boolean keepAlive) throws IOException {
        boolean sendBody = !head.method().equals("HEAD") && response.status() != 204 && response.status() != 304
                && response.status() / 100 != 1;
        Body body = response.body();
        long length = switch (body) {
            case Body.Empty _ -> head.method().equals("HEAD") ? declaredLength(response) : 0;
            case Body.Bytes(byte[] data) -> data.length;
            case Body.Streamed(long declared, Body.Writer _) -> declared;
            case Body.FileRegion(var _, long _, long regionLength) -> regionLength;
            case Body.Upgrade _ -> throw new IllegalStateException("upgrade handled before");
        };
        boolean chunked = length < 0 && head.http11() && sendBody;
        boolean untilClose = length < 0 && !head.http11() && sendBody;
        Headers framing = new Headers();
        if (response.status() != 204 && response.status() / 100 != 1) {
            if (chunked) framing.add("Transfer-Encoding", "chunked");
            else if (length >= 0) framing.add("Content-Length", Long.toString(length));
        }
        if (!keepAlive || untilClose) framing.add("Connection", "close");
        else if (!head.http11()) framing.add("Connection", "keep-alive");
        writeHead(head, response, false, framing);
        if (!sendBody) {
            out.flush();
            return;
        }
        switch (body) {
            case Body.Empty _ -> {}
            case Body.Bytes(byte[] data) -> out.write(data);
            case Body.Streamed(long declared, Body.Writer writer) -> {
                if (declared >= 0) {
                    LengthCheckingOutputStream checked = new LengthCheckingOutputStream(out, declared);
                    writer.writeTo(checked);
                    checked.verifyComplete();
                } else if (chunked) {
                    ChunkedOutputStream chunks = new ChunkedOutputStream(out);
                    writer.writeTo(chunks);
                    chunks.finish();
                } else {
                    writer.writeTo(out);
                }
            }
            case Body.FileRegion region -> sendFile(region);
            case Body.Upgrade _ -> throw new IllegalStateException("upgrade handled before");
        }
        out.flush();
    }

    private static long declaredLength(Response response) {
        String value = response.headers().get("Content-Length");
        if (value == null) return 0;
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void sendFile(Body.FileRegion region) throws IOException {
        try (FileChannel file = FileChannel.open(region.file(), StandardOpenOption.READ)) {
            long position = region.offset();
            long end = region.offset() + region.length();
            if (transport.channel() != null && region.length() >= 64 * 1024) {
                // A direct buffer and plain writes, not transferTo: on a virtual thread the socket is
                // non-blocking, and sendfile then moves little per call (each with an fstat); measured
                // on loopback, copying through one direct buffer took a fifth of the CPU.
                out.flush();
                ByteBuffer buffer = ByteBuffer.allocateDirect(FILE_BUFFER);
                while (position < end) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
                    int n = file.read(buffer, position);
                    if (n < 0) throw new IOException("file shorter than the region sent: " + region.file());
                    buffer.flip();
                    while (buffer.hasRemaining()) transport.channel().write(buffer);
                    position += n;
                }
            } else {
                InputStream stream = java.nio.channels.Channels.newInputStream(file.position(position));
                byte[] buffer = new byte[256 * 1024];
                while (position < end) {
                    int n = stream.read(buffer, 0, (int) Math.min(buffer.length, end - position));
                    if (n < 0) throw new IOException("file shorter than the region sent: " + region.file());
                    out.write(buffer, 0, n);
                    position += n;
                }
            }
        }
    }

    private void writeHead(Heads.RequestHead head, Response response, boolean upgrade, Headers framing) throws IOException {
        StringBuilder text = new StringBuilder(256);
        text.append("HTTP/1.1 ").append(response.status()).append(' ').append(Reasons.of(response.status())).append("\r\n");
        response.headers().forEach((name, value) -> {
            if (!upgrade && isFramingField(name)) return;
            text.append(name).append(": ").append(value).append("\r\n");
        });
        if (!response.headers().contains("Date")) text.append("Date: ").append(Dates.now()).append("\r\n");
        if (framing != null) framing.forEach((name, value) -> text.append(name).append(": ").append(value).append("\r\n"));
        text.append("\r\n");
        out.write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static boolean isFramingField(String name) {
        return name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")
                || name.equalsIgnoreCase("Connection");
    }

    private void writeError(ProtocolException e) throws IOException {
        byte[] body = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + e.status() + " " + Reasons.of(e.status()) + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** The request body as the handler sees it: sends 100 Continue on first read, remembers failures. */
    private final class BodyInput extends InputStream {
        private final InputStream body;
        private boolean expectContinue;
        private boolean started;
        private boolean ended;
        private boolean failed;

        BodyInput(InputStream body, boolean empty, boolean expectContinue) {
            this.body = body;
            this.ended = empty;
            this.expectContinue = expectContinue && !empty;
        }

        private void start() throws IOException {
            started = true;
            if (expectContinue) {
                expectContinue = false;
                out.write(CONTINUE);
                out.flush();
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) return -1;
            if (!started) start();
            try {
                int n = body.read(b, off, len);
                if (n < 0) ended = true;
                return n;
            } catch (IOException e) {
                failed = !(e instanceof ProtocolException);
                throw e;
            }
        }

        @Override
        public int available() throws IOException {
            return ended ? 0 : body.available();
        }

        boolean finished() {
            if (ended) return true;
            return switch (body) {
                case FixedLengthInputStream fixed -> fixed.remaining() == 0;
                case ChunkedInputStream chunked -> chunked.finished();
                default -> false;
            };
        }

        /** Reads and drops up to {@code limit} bytes; whether the body then ended. */
        boolean drain(long limit) {
            if (finished()) return true;
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            try {
                while (total <= limit) {
                    int n = read(buffer, 0, buffer.length);
                    if (n < 0) return true;
                    total += n;
                }
            } catch (IOException e) {
                return false;
            }
            return false;
        }

        @Override
        public void close() {}
    }
}
