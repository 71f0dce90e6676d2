package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A userfaultfd(2): page faults on registered ranges of this process's memory become events a
 * handler thread reads, and the handler resolves them by copying a page in ({@code UFFDIO_COPY})
 * or mapping the zero page ({@code UFFDIO_ZEROPAGE}). Faults taken inside the kernel on the
 * process's behalf (KVM reading guest memory for a vCPU) are delivered too. Structures and
 * numbers as {@code <linux/userfaultfd.h>} of Linux 6.1 defines them.
 */
public final class Userfaultfd implements AutoCloseable {
    private static final long SYS_USERFAULTFD = 323;
    private static final int UFFDIO = 0xAA;
    private static final long UFFD_API = 0xAA;

    /** struct uffdio_api, uffdio_register, uffdio_copy, uffdio_zeropage and uffdio_range sizes. */
    private static final int API_SIZE = 24, REGISTER_SIZE = 32, COPY_SIZE = 40, ZEROPAGE_SIZE = 32, RANGE_SIZE = 16;
    /** struct uffd_msg: one event. */
    public static final int MSG_SIZE = 32;

    static final IoctlRequest UFFDIO_API = IoctlRequest.iowr("UFFDIO_API", UFFDIO, 0x3F, API_SIZE);
    static final IoctlRequest UFFDIO_REGISTER = IoctlRequest.iowr("UFFDIO_REGISTER", UFFDIO, 0x00, REGISTER_SIZE);
    static final IoctlRequest UFFDIO_UNREGISTER = IoctlRequest.ior("UFFDIO_UNREGISTER", UFFDIO, 0x01, RANGE_SIZE);
    static final IoctlRequest UFFDIO_WAKE = IoctlRequest.ior("UFFDIO_WAKE", UFFDIO, 0x02, RANGE_SIZE);
    static final IoctlRequest UFFDIO_COPY = IoctlRequest.iowr("UFFDIO_COPY", UFFDIO, 0x03, COPY_SIZE);
    static final IoctlRequest UFFDIO_ZEROPAGE = IoctlRequest.iowr("UFFDIO_ZEROPAGE", UFFDIO, 0x04, ZEROPAGE_SIZE);

    public static final long REGISTER_MODE_MISSING = 1;
    private static final long COPY_MODE_DONTWAKE = 1, ZEROPAGE_MODE_DONTWAKE = 1;
    /** UFFD_FEATURE_THREAD_ID: page-fault events name the faulting thread. */
    public static final long FEATURE_THREAD_ID = 1L << 8;

    private static final int EVENT_PAGEFAULT = 0x12;
    private static final long PAGEFAULT_FLAG_WRITE = 1;

    private static final Downcall USERFAULTFD = Downcall.of("syscall");

    /** What a read of the descriptor delivers. */
    public sealed interface Event {
        /** A thread touched {@code address} (page-aligned by the kernel only with the fault's page size). */
        record PageFault(long address, boolean write, int threadId) implements Event {}

        /** Any other event (fork, remap, remove, unmap): only reported when its feature was asked for. */
        record Other(int type) implements Event {}
    }

    private final Fd fd;
    private final long features;
    private final long ioctls;

    private Userfaultfd(Fd fd, long features, long ioctls) {
        this.fd = fd;
        this.features = features;
        this.ioctls = ioctls;
    }

    /**
     * A new userfaultfd after the {@code UFFDIO_API} handshake asking for {@code features};
     * {@code nonBlocking} makes reads return no events instead of waiting.
     */
    public static Userfaultfd open(long features, boolean nonBlocking) {
        MemorySegment state = Native.errnoState();
        int r = (int) USERFAULTFD.call(SYS_USERFAULTFD, FileIo.O_CLOEXEC | (nonBlocking ? FileIo.O_NONBLOCK : 0));
        if (r < 0) throw Native.failure("userfaultfd", state);
        Fd fd = Fd.own(r);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment api = arena.allocate(API_SIZE, 8);
            api.set(JAVA_LONG, 0, UFFD_API);
            api.set(JAVA_LONG, 8, features);
            Ioctl.call(fd, UFFDIO_API, api);
            return new Userfaultfd(fd, api.get(JAVA_LONG, 8), api.get(JAVA_LONG, 16));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    public Fd fd() {
        return fd;
    }

    /** The features the kernel granted. */
    public long features() {
        return features;
    }

    /** Bit {@code _UFFDIO_*} per ioctl the descriptor supports (the API ioctls). */
    public long ioctls() {
        return ioctls;
    }

    /** UFFDIO_REGISTER in missing mode: first touches of not yet populated pages of {@code range} become events. */
    public void registerMissing(MemorySegment range) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment reg = arena.allocate(REGISTER_SIZE, 8);
            reg.set(JAVA_LONG, 0, range.address());
            reg.set(JAVA_LONG, 8, range.byteSize());
            reg.set(JAVA_LONG, 16, REGISTER_MODE_MISSING);
            Ioctl.call(fd, UFFDIO_REGISTER, reg);
        }
    }

    public void unregister(MemorySegment range) {
        rangeCall(UFFDIO_UNREGISTER, range.address(), range.byteSize());
    }

    /** UFFDIO_WAKE: wakes the threads waiting on faults in {@code [start, start + length)}. */
    public void wake(long start, long length) {
        rangeCall(UFFDIO_WAKE, start, length);
    }

    /**
     * UFFDIO_COPY of {@code source} to the missing pages at {@code destination}; {@code wake}
     * wakes the threads waiting there. Returns false when the pages were already there
     * (EEXIST: someone else resolved them), which is no failure.
     */
    public boolean copy(long destination, MemorySegment source, boolean wake) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(COPY_SIZE, 8);
            copy.set(JAVA_LONG, 0, destination);
            copy.set(JAVA_LONG, 8, source.address());
            copy.set(JAVA_LONG, 16, source.byteSize());
            copy.set(JAVA_LONG, 24, wake ? 0 : COPY_MODE_DONTWAKE);
            return resolved(UFFDIO_COPY, copy, 32);
        }
    }

    /** UFFDIO_ZEROPAGE: maps zeroes at the missing pages {@code [start, start + length)}; false as for {@link #copy}. */
    public boolean zeropage(long start, long length, boolean wake) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zero = arena.allocate(ZEROPAGE_SIZE, 8);
            zero.set(JAVA_LONG, 0, start);
            zero.set(JAVA_LONG, 8, length);
            zero.set(JAVA_LONG, 16, wake ? 0 : ZEROPAGE_MODE_DONTWAKE);
            return resolved(UFFDIO_ZEROPAGE, zero, 24);
        }
    }

    private boolean resolved(IoctlRequest request, MemorySegment arg, long resultOffset) {
        while (true) {
            try {
                Ioctl.call(fd, request, arg);
                return true;
            } catch (SysException e) {
                if (e.is(Errno.EEXIST)) return false;
                // EAGAIN: the mapping changed under the call; the kernel asks for a retry.
                if (!e.is(Errno.EAGAIN) || arg.get(JAVA_LONG, resultOffset) > 0) throw e;
            }
        }
    }

    /**
     * Reads the pending events into {@code buffer} (a multiple of {@link #MSG_SIZE} bytes).
     * Blocks unless the descriptor is non-blocking, where no events gives an empty list.
     */
    public List<Event> read(MemorySegment buffer) {
        long n;
        try {
            n = FileIo.read(fd, buffer);
        } catch (SysException e) {
            if (e.is(Errno.EAGAIN)) return List.of();
            throw e;
        }
        List<Event> events = new ArrayList<>((int) (n / MSG_SIZE));
        for (long off = 0; off + MSG_SIZE <= n; off += MSG_SIZE) {
            int type = Byte.toUnsignedInt(buffer.get(JAVA_BYTE, off));
            events.add(type == EVENT_PAGEFAULT
                    ? new Event.PageFault(buffer.get(JAVA_LONG, off + 16),
                            (buffer.get(JAVA_LONG, off + 8) & PAGEFAULT_FLAG_WRITE) != 0, buffer.get(JAVA_INT, off + 24))
                    : new Event.Other(type));
        }
        return events;
    }

    private void rangeCall(IoctlRequest request, long start, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment range = arena.allocate(RANGE_SIZE, 8);
            range.set(JAVA_LONG, 0, start);
            range.set(JAVA_LONG, 8, length);
            Ioctl.call(fd, request, range);
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
