package dev.vireo.vmm.devices.legacy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the UART's bytes go on the host: a terminal or a log file. Bytes are buffered and
 * written at each newline, when 4 KiB have gathered, and at most 20 ms after they arrived, so
 * a guest printing a byte per exit costs a write(2) per line, not per byte. Lines the guest
 * starts with {@code RESULT } are also kept, for reports.
 */
public final class ConsoleOutput implements Serial16550.Output, AutoCloseable {
    private static final byte[] RESULT = "RESULT ".getBytes();
    private static final long FLUSH_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final OutputStream out;
    private final byte[] buffer = new byte[4096];
    private int length;
    private long oldestPending;
    private IOException failure;

    private int linePosition;
    private final StringBuilder resultLine = new StringBuilder();
    private final List<String> results = new ArrayList<>();
    private final Thread flusher;
    private boolean closed;

    public ConsoleOutput(OutputStream out) {
        this.out = out;
        this.flusher = Thread.ofVirtual().name("console-flush").start(this::flushLoop);
    }

    @Override
    public synchronized void write(int b) {
        if (length == 0) {
            oldestPending = System.nanoTime();
            notifyAll();
        }
        buffer[length++] = (byte) b;
        track(b);
        if (b == '\n' || length == buffer.length) flush();
    }

    /** Writes {@code bytes} as {@link #write(int)} would one by one, under one lock (virtio-console's path). */
    public synchronized void write(byte[] bytes) {
        for (byte b : bytes) write(b & 0xff);
    }

    /** The RESULT lines written so far, without their line ends. */
    public synchronized List<String> resultLines() {
        return List.copyOf(results);
    }

    /** Writes what is buffered; a failed write is reported once, at {@link #close()}. */
    public synchronized void flush() {
        if (length == 0) return;
        try {
            if (failure == null) {
                out.write(buffer, 0, length);
                out.flush();
            }
        } catch (IOException e) {
            failure = e;
        }
        length = 0;
    }

    private void track(int b) {
        if (b == '\n') {
            if (linePosition >= RESULT.length) results.add(resultLine.toString().stripTrailing());
            resultLine.setLength(0);
            linePosition = 0;
        } else if (linePosition >= 0 && linePosition < RESULT.length) {
            linePosition = RESULT[linePosition] == b ? linePosition + 1 : -1;
            if (linePosition == RESULT.length) resultLine.append("RESULT ");
        } else if (linePosition >= 0 && resultLine.length() < 4096) {
            resultLine.append((char) (b & 0xff));
        }
    }

    private synchronized void flushLoop() {
        try {
            while (!closed) {
                if (length == 0) {
                    wait();
                    continue;
                }
                long due = oldestPending + FLUSH_DELAY_NANOS - System.nanoTime();
                if (due > 0) TimeUnit.NANOSECONDS.timedWait(this, due);
                else flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            flush();
            closed = true;
            notifyAll();
        }
        try {
            flusher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) throw new UncheckedIOException("writing the guest console", failure);
    }
}
