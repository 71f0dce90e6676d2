package dev.vireo.containers.logs;

import dev.vireo.containers.LogSink;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a CRI log from where it last stopped: each complete record goes to the {@link LogSink}
 * with its stream, its time and its content (a newline added after {@code F} records). A
 * record being written (no newline yet) is left for the next call, so following a file that
 * grows never splits one.
 */
public final class CriLogReader {
    private final Path file;
    private long position;
    private byte[] buffer = new byte[64 * 1024];

    public CriLogReader(Path file) {
        this.file = file;
    }

    /** Hands every complete record after the last one read to {@code sink}; returns how many. */
    public int readAvailable(LogSink sink) throws IOException {
        if (!Files.exists(file)) return 0;
        int records = 0;
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            while (true) {
                in.seek(position);
                int n = in.read(buffer, 0, buffer.length);
                if (n <= 0) return records;
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != '\n') continue;
                    parse(buffer, start, i, sink);
                    records++;
                    start = i + 1;
                }
                if (start == 0) {
                    if (n < buffer.length) return records;
                    buffer = new byte[buffer.length * 2];
                }
                position += start;
            }
        }
    }

    private static void parse(byte[] b, int from, int to, LogSink sink) throws IOException {
        int s1 = indexOf(b, from, to, ' ');
        int s2 = s1 < 0 ? -1 : indexOf(b, s1 + 1, to, ' ');
        int s3 = s2 < 0 ? -1 : indexOf(b, s2 + 1, to, ' ');
        if (s3 < 0) throw new IOException("malformed CRI log record: " + new String(b, from, to - from, StandardCharsets.UTF_8));
        String time = new String(b, from, s1 - from, StandardCharsets.US_ASCII);
        String stream = new String(b, s1 + 1, s2 - s1 - 1, StandardCharsets.US_ASCII);
        boolean full = b[s2 + 1] == 'F';
        sink.record(stream.equals("stderr") ? 2 : 1, time, b, s3 + 1, to - s3 - 1, full);
    }

    private static int indexOf(byte[] b, int from, int to, char c) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }
}
