package dev.vireo.http.wire;

import java.io.IOException;
import java.io.InputStream;

/** A body of Content-Length bytes; ending early is an error, reading past it is impossible. */
public final class FixedLengthInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    public FixedLengthInputStream(InputStream in, long length) {
        this.in = in;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        if (remaining == 0) return -1;
        int b = in.read();
        if (b < 0) throw new ProtocolException(400, "body ended " + remaining + " bytes short of Content-Length");
        remaining--;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) return -1;
        if (len == 0) return 0;
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) throw new ProtocolException(400, "body ended " + remaining + " bytes short of Content-Length");
        remaining -= n;
        return n;
    }

    public long remaining() {
        return remaining;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(remaining, in.available());
    }

    /** Closing the body leaves the connection open; the server drains what is left. */
    @Override
    public void close() {}
}
