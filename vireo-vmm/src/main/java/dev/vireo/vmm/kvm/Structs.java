package dev.vireo.vmm.kvm;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Ioctl;
import dev.vireo.sys.IoctlRequest;
import dev.vireo.sys.SysException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Moving KVM structures between native memory and byte arrays: the ioctls that fill or read a
 * structure kept raw (LAPIC page, XSAVE area, ...), and the byte form of the typed ones.
 * Native memory, 8-byte aligned, because the structures hold aligned 64-bit fields.
 */
final class Structs {
    private Structs() {}

    /** Issues {@code request} on a structure that starts as {@code in} and returns what KVM left in it. */
    static byte[] get(Fd fd, IoctlRequest request, byte[] in) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(in.length, 8);
            MemorySegment.copy(MemorySegment.ofArray(in), 0, m, 0, in.length);
            Ioctl.call(fd, request, m);
            return m.toArray(JAVA_BYTE);
        }
    }

    static void set(Fd fd, IoctlRequest request, byte[] value) {
        get(fd, request, value);
    }

    static byte[] bytes(long size, Consumer<MemorySegment> writer) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(size, 8);
            writer.accept(m);
            return m.toArray(JAVA_BYTE);
        }
    }

    static <T> T parse(byte[] bytes, long size, String what, Function<MemorySegment, T> reader) {
        if (bytes.length != size) throw new IllegalArgumentException(what + " is " + size + " bytes, not " + bytes.length);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(size, 8);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, m, 0, size);
            return reader.apply(m);
        }
    }

    /** A {@code struct kvm_cpuid2} request (KVM_GET_SUPPORTED_CPUID, KVM_GET_CPUID2), growing the array while KVM answers E2BIG. */
    static List<CpuidEntry> cpuid(Fd fd, IoctlRequest request) {
        for (int capacity = 128; ; capacity *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment cpuid = arena.allocate(8 + capacity * CpuidEntry.SIZE, 8);
                cpuid.set(JAVA_INT, 0, capacity);
                try {
                    Ioctl.call(fd, request, cpuid);
                } catch (SysException e) {
                    if (e.is(Errno.E2BIG) && capacity < 4096) continue;
                    throw e;
                }
                int count = cpuid.get(JAVA_INT, 0);
                List<CpuidEntry> entries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) entries.add(CpuidEntry.read(cpuid, 8 + i * CpuidEntry.SIZE));
                return entries;
            }
        }
    }
}
