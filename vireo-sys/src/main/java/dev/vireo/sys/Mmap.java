package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** mmap, munmap and madvise; a mapping is released when the arena that owns it closes. */
public final class Mmap {
    public static final int PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    public static final int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
            MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000;
    public static final int MADV_DONTNEED = 4, MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_MERGEABLE = 12,
            MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15;

    private static final MethodHandle MMAP = Native.errnoFunction("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Native.errnoFunction("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MADVISE = Native.errnoFunction("madvise",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

    private Mmap() {}

    /**
     * Maps {@code length} bytes of {@code fd} (or anonymous memory when {@code fd} is null) and
     * ties the mapping to {@code owner}: closing the arena unmaps it.
     */
    public static MemorySegment map(long length, int prot, int flags, Fd fd, long offset, Arena owner) {
        try {
            MemorySegment state = Native.errnoState();
            MemorySegment address = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot,
                    flags, fd == null ? -1 : fd.value(), offset);
            if (address.address() == -1L) throw Native.failure("mmap(" + length + " bytes)", state);
            return address.reinterpret(length, owner, mapped -> unmap(mapped.address(), length));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static MemorySegment anonymous(long length, int prot, int flags, Arena owner) {
        return map(length, prot, flags | MAP_ANONYMOUS | MAP_PRIVATE, null, 0, owner);
    }

    public static void madvise(MemorySegment range, int advice) {
        try {
            MemorySegment state = Native.errnoState();
            int r = (int) MADVISE.invokeExact(state, range, range.byteSize(), advice);
            if (r < 0) throw Native.failure("madvise(" + advice + ")", state);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static void unmap(long address, long length) {
        try {
            MemorySegment state = Native.errnoState();
            int r = (int) MUNMAP.invokeExact(state, MemorySegment.ofAddress(address), length);
            if (r < 0) throw Native.failure("munmap(" + length + " bytes)", state);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
