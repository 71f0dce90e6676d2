package dev.vireo.vmm.kvm;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct kvm_cpuid_entry2}: what CPUID returns for one leaf and sub-leaf (40 bytes). */
public record CpuidEntry(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    static final long SIZE = 40;

    public CpuidEntry withEbx(int value) {
        return new CpuidEntry(function, index, flags, eax, value, ecx, edx);
    }

    public CpuidEntry withEcx(int value) {
        return new CpuidEntry(function, index, flags, eax, ebx, value, edx);
    }

    public CpuidEntry withEdx(int value) {
        return new CpuidEntry(function, index, flags, eax, ebx, ecx, value);
    }

    static CpuidEntry read(MemorySegment m, long at) {
        return new CpuidEntry(m.get(JAVA_INT, at), m.get(JAVA_INT, at + 4), m.get(JAVA_INT, at + 8),
                m.get(JAVA_INT, at + 12), m.get(JAVA_INT, at + 16), m.get(JAVA_INT, at + 20), m.get(JAVA_INT, at + 24));
    }

    void write(MemorySegment m, long at) {
        int[] v = {function, index, flags, eax, ebx, ecx, edx, 0, 0, 0};
        for (int i = 0; i < v.length; i++) m.set(JAVA_INT, at + i * 4L, v[i]);
    }
}
