package dev.vireo.http.wire;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A buffered byte stream that also reads CRLF- (or bare LF-) terminated lines of bounded
 * length, for heads and chunk sizes. Bytes past a message stay buffered for the next one.
 */
public final class HttpInput extends InputStream {
    private final InputStream in;
    private final byte[] buffer;
    private int position;
    private int limit;

    public HttpInput(InputStream in, int bufferSize) {
        this.in = in;
        this.buffer = new byte[bufferSize];
    }

    /** Thrown by {@link #readLine} for a line longer than allowed. */
    public static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException() {
            super("line too long");
        }
    }

    /**
     * The next line without its terminator, or null at end of stream before any byte.
     * A stream that ends inside a line is an error.
     */
    public String readLine(int maxLength) throws IOException {
        StringBuilder line = null;
        int length = 0;
        while (true) {
            if (position == limit && !fill()) {
                if (line == null && length == 0) return null;
                throw new ProtocolException(400, "connection closed inside a line");
            }
            int start = position;
            while (position < limit) {
                byte b = buffer[position++];
                if (b == '\n') {
                    int end = position - 1;
                    if (end > start && buffer[end - 1] == '\r') end--;
                    else if (end == start && line != null && !line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
                        line.setLength(line.length() - 1);
                    }
                    String tail = new String(buffer, start, end - start, StandardCharsets.ISO_8859_1);
                    return line == null ? tail : line.append(tail).toString();
                }
                if (++length > maxLength) throw new LineTooLongException();
            }
            if (line == null) line = new StringBuilder();
            line.append(new String(buffer, start, position - start, StandardCharsets.ISO_8859_1));
        }
    }

    /** The next byte without consuming it, or -1 at end of stream. */
    public int peek() throws IOException {
        if (position == limit && !fill()) return -1;
        return buffer[position] & 0xff;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) return false;
        position = 0;
        limit = n;
        return true;
    }

    @Override
    public int read() throws IOException {
        if (position == limit && !fill()) return -1;
        return buffer[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (position == limit) {
            // Large reads bypass the buffer: bodies go straight from the socket to the caller.
            if (len >= buffer.length) return in.read(b, off, len);
            if (!fill()) return -1;
        }
        int n = Math.min(len, limit - position);
        System.arraycopy(buffer, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return limit - position;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
