package dev.vireo.containers.logs;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Writes a container's output as the Kubernetes CRI log format (what kubelet and podman's
 * {@code k8s-file} driver write): one line per line of output,
 * {@code <RFC 3339 time, UTC, nanoseconds> <stdout|stderr> <F|P> <content>}. {@code F} ends a
 * line; {@code P} is a part of a longer one (longer than {@link #MAX_LINE}, or the last
 * unterminated output), to be joined with what follows. Each record is one write, so a reader
 * never sees half a record except at the end of the file.
 */
public final class CriLogWriter implements Closeable {
    /** Lines longer than this are split into partial records, as conmon splits them. */
    public static final int MAX_LINE = 16 * 1024;

    private final OutputStream out;
    private final ByteArrayOutputStream[] pending = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    private final ByteArrayOutputStream record = new ByteArrayOutputStream(256);

    public CriLogWriter(OutputStream out) {
        this.out = out;
    }

    /** Output of {@code stream} (1 stdout, 2 stderr), in pieces as they arrive. */
    public synchronized void write(int stream, byte[] data, int offset, int length) throws IOException {
        ByteArrayOutputStream line = pending[stream - 1];
        int start = offset, end = offset + length;
        for (int i = offset; i < end; i++) {
            if (data[i] == '\n') {
                line.write(data, start, i - start);
                emit(stream, line, true);
                start = i + 1;
            } else if (line.size() + (i - start) >= MAX_LINE) {
                line.write(data, start, i - start);
                emit(stream, line, false);
                start = i;
            }
        }
        line.write(data, start, end - start);
    }

    /** Writes what is left of unterminated lines, as partial records. */
    public synchronized void flushPartial() throws IOException {
        for (int s = 1; s <= 2; s++) {
            if (pending[s - 1].size() > 0) emit(s, pending[s - 1], false);
        }
        out.flush();
    }

    private void emit(int stream, ByteArrayOutputStream line, boolean full) throws IOException {
        record.reset();
        record.writeBytes(CriTime.format(Instant.now()).getBytes(StandardCharsets.US_ASCII));
        record.writeBytes(stream == 1 ? STDOUT : STDERR);
        record.write(full ? 'F' : 'P');
        record.write(' ');
        line.writeTo(record);
        record.write('\n');
        record.writeTo(out);
        line.reset();
    }

    private static final byte[] STDOUT = " stdout ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STDERR = " stderr ".getBytes(StandardCharsets.US_ASCII);

    @Override
    public synchronized void close() throws IOException {
        try (out) {
            flushPartial();
        }
    }
}
