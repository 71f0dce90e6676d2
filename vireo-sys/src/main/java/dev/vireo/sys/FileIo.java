package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** open, close, read, write, pread, pwrite and flock on raw descriptors. */
public final class FileIo {
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000,
            O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000;

    private static final Downcall OPEN = Downcall.of("open");
    private static final Downcall CLOSE = Downcall.of("close");
    private static final Downcall READ = Downcall.of("read");
    private static final Downcall WRITE = Downcall.of("write");
    private static final Downcall PREAD = Downcall.of("pread64");
    private static final Downcall PWRITE = Downcall.of("pwrite64");
    private static final Downcall FLOCK = Downcall.of("flock");

    /** flock(2) operations. */
    public static final int LOCK_EX = 2;

    private FileIo() {}

    /** open(2); O_CLOEXEC is always added, so no descriptor leaks into a child by accident. */
    public static Fd open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            int fd = (int) OPEN.call(arena.allocateFrom(path).address(), flags | O_CLOEXEC, mode);
            if (fd < 0) throw Native.failure("open(" + path + ")", state);
            return Fd.own(fd);
        }
    }

    public static Fd open(String path, int flags) {
        return open(path, flags, 0);
    }

    static void close(int fd) {
        MemorySegment state = Native.errnoState();
        int r = (int) CLOSE.call(fd);
        // Linux releases the descriptor even when close reports EINTR; retrying would be wrong.
        if (r < 0 && Native.errno(state) != Errno.EINTR) throw Native.failure("close(" + fd + ")", state);
    }

    /** read(2) into the whole of {@code buffer}; returns the bytes read, 0 at end of file. */
    public static long read(Fd fd, MemorySegment buffer) {
        MemorySegment state = Native.errnoState();
        long n = READ.call(fd.value(), buffer.address(), buffer.byteSize());
        if (n < 0) throw Native.failure("read(" + fd + ")", state);
        return n;
    }

    /** write(2) of the whole of {@code buffer}; returns the bytes written, which may be fewer. */
    public static long write(Fd fd, MemorySegment buffer) {
        MemorySegment state = Native.errnoState();
        long n = WRITE.call(fd.value(), buffer.address(), buffer.byteSize());
        if (n < 0) throw Native.failure("write(" + fd + ")", state);
        return n;
    }

    public static long pread(Fd fd, MemorySegment buffer, long offset) {
        MemorySegment state = Native.errnoState();
        long n = PREAD.call(fd.value(), buffer.address(), buffer.byteSize(), offset);
        if (n < 0) throw Native.failure("pread(" + fd + ")", state);
        return n;
    }

    public static long pwrite(Fd fd, MemorySegment buffer, long offset) {
        MemorySegment state = Native.errnoState();
        long n = PWRITE.call(fd.value(), buffer.address(), buffer.byteSize(), offset);
        if (n < 0) throw Native.failure("pwrite(" + fd + ")", state);
        return n;
    }

    /** flock(2), waiting while another open file holds a conflicting lock; EINTR is retried. */
    public static void flock(Fd fd, int operation) {
        MemorySegment state = Native.errnoState();
        while ((int) FLOCK.call(fd.value(), operation) < 0) {
            if (Native.errno(state) != Errno.EINTR) throw Native.failure("flock(" + fd + ")", state);
        }
    }
}
