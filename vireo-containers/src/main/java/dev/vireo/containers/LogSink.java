package dev.vireo.containers;

import java.io.IOException;

/** Where a container's log records go when read: stream 1 stdout or 2 stderr, the record's time, its bytes. */
@FunctionalInterface
public interface LogSink {
    /** {@code endOfLine}: the record ends a line (CRI {@code F}), else it is part of one ({@code P}). */
    void record(int stream, String time, byte[] content, int offset, int length, boolean endOfLine) throws IOException;
}
