package dev.vireo.http.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Frames whatever is written as chunks; {@link #finish} writes the terminating zero chunk. */
public final class ChunkedOutputStream extends OutputStream {
    private final OutputStream out;
    private boolean finished;

    public ChunkedOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) throw new IOException("chunked body already finished");
        if (len == 0) return;
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(b, off, len);
        out.write('\r');
        out.write('\n');
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    public void finish() throws IOException {
        if (finished) return;
        finished = true;
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Ends the body, not the connection. */
    @Override
    public void close() throws IOException {
        finish();
        out.flush();
    }
}
