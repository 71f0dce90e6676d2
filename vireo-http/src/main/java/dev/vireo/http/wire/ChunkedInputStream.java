package dev.vireo.http.wire;

import java.io.IOException;
import java.io.InputStream;

/**
 * A chunked body (RFC 9112 §7.1): hex size, optional extensions, CRLF, data, CRLF, ...,
 * a zero chunk, trailer fields (read and dropped) and an empty line. A size that is not
 * hex, overflows, or data not followed by CRLF is a 400.
 */
public final class ChunkedInputStream extends InputStream {
    private static final int MAX_SIZE_LINE = 4096;
    private static final int MAX_TRAILER_LINES = 100;
    private final HttpInput in;
    private long chunkRemaining;
    private boolean started;
    private boolean finished;

    public ChunkedInputStream(HttpInput in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (finished) return -1;
        if (len == 0) return 0;
        if (chunkRemaining == 0) {
            if (started) expectCrlf();
            started = true;
            chunkRemaining = parseSize(readLine());
            if (chunkRemaining == 0) {
                skipTrailers();
                finished = true;
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
        if (n < 0) throw new ProtocolException(400, "connection closed inside a chunk");
        chunkRemaining -= n;
        return n;
    }

    public boolean finished() {
        return finished;
    }

    private String readLine() throws IOException {
        try {
            String line = in.readLine(MAX_SIZE_LINE);
            if (line == null) throw new ProtocolException(400, "connection closed before the last chunk");
            return line;
        } catch (HttpInput.LineTooLongException e) {
            throw new ProtocolException(400, "chunk size line too long");
        }
    }

    private void expectCrlf() throws IOException {
        if (!readLine().isEmpty()) throw new ProtocolException(400, "chunk data not followed by CRLF");
    }

    static long parseSize(String line) throws ProtocolException {
        int end = line.indexOf(';');
        String hex = (end < 0 ? line : line.substring(0, end)).stripTrailing();
        if (hex.isEmpty() || hex.length() > 15) throw new ProtocolException(400, "bad chunk size '" + printable(hex) + "'");
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int digit = Character.digit(hex.charAt(i), 16);
            if (digit < 0) throw new ProtocolException(400, "bad chunk size '" + printable(hex) + "'");
            size = size << 4 | digit;
        }
        return size;
    }

    private void skipTrailers() throws IOException {
        for (int i = 0; i < MAX_TRAILER_LINES; i++) {
            if (readLine().isEmpty()) return;
        }
        throw new ProtocolException(431, "too many trailer fields");
    }

    static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** Closing the body leaves the connection open; the server drains what is left. */
    @Override
    public void close() {}
}
