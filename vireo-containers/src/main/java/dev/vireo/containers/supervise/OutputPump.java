package dev.vireo.containers.supervise;

import dev.vireo.containers.logs.CriLogWriter;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.SysException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Copies one output stream of a container (a pipe, or a terminal's master) into the log and,
 * when attached, to a descriptor of this process, until the container's side closes. A
 * platform thread: a blocking native read would pin a virtual thread's carrier anyway.
 */
final class OutputPump {
    private final Thread thread;
    private volatile Throwable failure;

    private OutputPump(Fd from, int stream, CriLogWriter log, Fd tee) {
        thread = Thread.ofPlatform().daemon().name("vireo-log-" + stream).start(() -> {
            try {
                copy(from, stream, log, tee);
            } catch (RuntimeException | IOException e) {
                failure = e;
            } finally {
                from.close();
            }
        });
    }

    static OutputPump start(Fd from, int stream, CriLogWriter log, Fd tee) {
        return new OutputPump(from, stream, log, tee);
    }

    private static void copy(Fd from, int stream, CriLogWriter log, Fd tee) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(32 * 1024);
            byte[] bytes = new byte[(int) buffer.byteSize()];
            boolean teeOpen = tee != null;
            while (true) {
                long n;
                try {
                    n = FileIo.read(from, buffer);
                } catch (SysException e) {
                    // A terminal's master reads EIO once the container's side has closed.
                    if (e.is(Errno.EIO)) return;
                    throw e;
                }
                if (n <= 0) return;
                MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, bytes, 0, (int) n);
                log.write(stream, bytes, 0, (int) n);
                if (teeOpen) {
                    try {
                        long done = 0;
                        while (done < n) done += FileIo.write(tee, buffer.asSlice(done, n - done));
                    } catch (SysException e) {
                        // Whoever reads our output went away (EPIPE): the log still gets everything.
                        teeOpen = false;
                    }
                }
            }
        }
    }

    /** Waits until the stream has ended. */
    void join() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof IOException e) throw new UncheckedIOException("writing the container's log: " + e.getMessage(), e);
        if (failure instanceof RuntimeException e) throw e;
    }
}
