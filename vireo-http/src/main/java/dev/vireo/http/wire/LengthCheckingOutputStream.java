package dev.vireo.http.wire;

import java.io.IOException;
import java.io.OutputStream;

/** Passes exactly the declared number of bytes; more or fewer would desynchronize the connection. */
final class LengthCheckingOutputStream extends OutputStream {
    private final OutputStream out;
    private final long declared;
    private long written;

    LengthCheckingOutputStream(OutputStream out, long declared) {
        this.out = out;
        this.declared = declared;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (written + len > declared) throw new IOException("body longer than its declared " + declared + " bytes");
        out.write(b, off, len);
        written += len;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    void verifyComplete() throws IOException {
        if (written != declared) throw new IOException("body of " + written + " bytes, declared " + declared);
    }

    @Override
    public void close() {}
}
