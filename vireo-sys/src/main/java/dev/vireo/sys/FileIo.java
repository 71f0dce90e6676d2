package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** open, close, read, write, pread and pwrite on raw descriptors. */
public final class FileIo {
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000,
            O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000;

    private static final Downcall OPEN = Downcall.errno("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final Downcall CLOSE = Downcall.errno("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final Downcall READ = Downcall.errno("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final Downcall WRITE = Downcall.errno("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final Downcall PREAD = Downcall.errno("pread64",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final Downcall PWRITE = Downcall.errno("pwrite64",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));

    private FileIo() {}

    /** open(2); O_CLOEXEC is always added, so no descriptor leaks into a child by accident. */
    public static Fd open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            int fd = (int) OPEN.handle().invokeExact(state, arena.allocateFrom(path), flags | O_CLOEXEC, mode);
            if (fd < 0) throw Native.failure("open(" + path + ")", state);
            return Fd.own(fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static Fd open(String path, int flags) {
        return open(path, flags, 0);
    }

    static void close(int fd) {
        try {
            MemorySegment state = Native.errnoState();
            int r = (int) CLOSE.handle().invokeExact(state, fd);
            // Linux releases the descriptor even when close reports EINTR; retrying would be wrong.
            if (r < 0 && Native.errno(state) != Errno.EINTR) throw Native.failure("close(" + fd + ")", state);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** read(2) into the whole of {@code buffer}; returns the bytes read, 0 at end of file. */
    public static long read(Fd fd, MemorySegment buffer) {
        try {
            MemorySegment state = Native.errnoState();
            long n = (long) READ.handle().invokeExact(state, fd.value(), buffer, buffer.byteSize());
            if (n < 0) throw Native.failure("read(" + fd + ")", state);
            return n;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** write(2) of the whole of {@code buffer}; returns the bytes written, which may be fewer. */
    public static long write(Fd fd, MemorySegment buffer) {
        try {
            MemorySegment state = Native.errnoState();
            long n = (long) WRITE.handle().invokeExact(state, fd.value(), buffer, buffer.byteSize());
            if (n < 0) throw Native.failure("write(" + fd + ")", state);
            return n;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long pread(Fd fd, MemorySegment buffer, long offset) {
        try {
            MemorySegment state = Native.errnoState();
            long n = (long) PREAD.handle().invokeExact(state, fd.value(), buffer, buffer.byteSize(), offset);
            if (n < 0) throw Native.failure("pread(" + fd + ")", state);
            return n;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static long pwrite(Fd fd, MemorySegment buffer, long offset) {
        try {
            MemorySegment state = Native.errnoState();
            long n = (long) PWRITE.handle().invokeExact(state, fd.value(), buffer, buffer.byteSize(), offset);
            if (n < 0) throw Native.failure("pwrite(" + fd + ")", state);
            return n;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
