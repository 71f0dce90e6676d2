package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** An eventfd(2): a 64-bit counter the kernel and userspace signal each other through. */
public final class EventFd implements AutoCloseable {
    public static final int EFD_SEMAPHORE = 1, EFD_NONBLOCK = 04000, EFD_CLOEXEC = 02000000;

    private static final MethodHandle EVENTFD = Native.errnoFunction("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private final Fd fd;

    private EventFd(Fd fd) {
        this.fd = fd;
    }

    /** A new eventfd; EFD_CLOEXEC is always added. */
    public static EventFd create(int initial, int flags) {
        try {
            MemorySegment state = Native.errnoState();
            int r = (int) EVENTFD.invokeExact(state, initial, flags | EFD_CLOEXEC);
            if (r < 0) throw Native.failure("eventfd", state);
            return new EventFd(Fd.own(r));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public Fd fd() {
        return fd;
    }

    /** Adds {@code value} to the counter, waking a reader. */
    public void signal(long value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocateFrom(JAVA_LONG, value);
            FileIo.write(fd, buffer);
        }
    }

    /** Blocks until the counter is non-zero, then returns and resets it (or decrements it, in semaphore mode). */
    public long await() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(JAVA_LONG);
            FileIo.read(fd, buffer);
            return buffer.get(JAVA_LONG, 0);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
