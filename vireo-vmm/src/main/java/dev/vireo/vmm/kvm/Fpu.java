package dev.vireo.vmm.kvm;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * {@code struct kvm_fpu}: x87 registers, FCW/FSW/tag word, last instruction and data pointers,
 * the 16 XMM registers and MXCSR (416 bytes). Kept as the raw structure; the accessors name
 * the fields a VMM sets.
 */
public record Fpu(byte[] raw) {
    public static final long SIZE = 416;
    private static final long FCW = 128, MXCSR = 408;

    public Fpu {
        if (raw.length != SIZE) throw new IllegalArgumentException("kvm_fpu is " + SIZE + " bytes, not " + raw.length);
        raw = raw.clone();
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    /** The state after FNINIT with SSE exceptions masked: FCW 0x37f, MXCSR 0x1f80. */
    public static Fpu initial() {
        MemorySegment m = MemorySegment.ofArray(new byte[(int) SIZE]);
        m.set(JAVA_SHORT_UNALIGNED, FCW, (short) 0x37f);
        m.set(JAVA_INT_UNALIGNED, MXCSR, 0x1f80);
        return new Fpu(m.toArray(JAVA_BYTE));
    }

    public int fcw() {
        return Short.toUnsignedInt(MemorySegment.ofArray(raw).get(JAVA_SHORT_UNALIGNED, FCW));
    }

    public int mxcsr() {
        return MemorySegment.ofArray(raw).get(JAVA_INT_UNALIGNED, MXCSR);
    }

    static Fpu read(MemorySegment m) {
        return new Fpu(m.toArray(JAVA_BYTE));
    }

    void write(MemorySegment m) {
        MemorySegment.copy(MemorySegment.ofArray(raw), 0, m, 0, SIZE);
    }
}
