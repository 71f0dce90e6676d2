package dev.vireo.vmm.kvm;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct kvm_segment}: a segment register with its hidden descriptor cache (24 bytes). */
public record Segment(long base, int limit, int selector, int type, boolean present, int dpl,
                      boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {
    static final long SIZE = 24;

    /** The segment a GDT descriptor describes when loaded with {@code selector}. */
    public static Segment fromDescriptor(int selector, long descriptor) {
        long base = ((descriptor >>> 16) & 0xffffff) | (((descriptor >>> 56) & 0xff) << 24);
        long limitRaw = (descriptor & 0xffff) | (((descriptor >>> 48) & 0xf) << 16);
        boolean g = ((descriptor >>> 55) & 1) != 0;
        int limit = (int) (g ? (limitRaw << 12) | 0xfff : limitRaw);
        return new Segment(base, limit, selector, (int) ((descriptor >>> 40) & 0xf),
                ((descriptor >>> 47) & 1) != 0, (int) ((descriptor >>> 45) & 3),
                ((descriptor >>> 54) & 1) != 0, ((descriptor >>> 44) & 1) != 0,
                ((descriptor >>> 53) & 1) != 0, g, ((descriptor >>> 52) & 1) != 0, false);
    }

    static Segment read(MemorySegment m, long at) {
        return new Segment(m.get(JAVA_LONG, at), m.get(JAVA_INT, at + 8), Short.toUnsignedInt(m.get(JAVA_SHORT, at + 12)),
                m.get(JAVA_BYTE, at + 14), m.get(JAVA_BYTE, at + 15) != 0, m.get(JAVA_BYTE, at + 16),
                m.get(JAVA_BYTE, at + 17) != 0, m.get(JAVA_BYTE, at + 18) != 0, m.get(JAVA_BYTE, at + 19) != 0,
                m.get(JAVA_BYTE, at + 20) != 0, m.get(JAVA_BYTE, at + 21) != 0, m.get(JAVA_BYTE, at + 22) != 0);
    }

    void write(MemorySegment m, long at) {
        m.set(JAVA_LONG, at, base);
        m.set(JAVA_INT, at + 8, limit);
        m.set(JAVA_SHORT, at + 12, (short) selector);
        m.set(JAVA_BYTE, at + 14, (byte) type);
        m.set(JAVA_BYTE, at + 15, bit(present));
        m.set(JAVA_BYTE, at + 16, (byte) dpl);
        m.set(JAVA_BYTE, at + 17, bit(db));
        m.set(JAVA_BYTE, at + 18, bit(s));
        m.set(JAVA_BYTE, at + 19, bit(l));
        m.set(JAVA_BYTE, at + 20, bit(g));
        m.set(JAVA_BYTE, at + 21, bit(avl));
        m.set(JAVA_BYTE, at + 22, bit(unusable));
        m.set(JAVA_BYTE, at + 23, (byte) 0);
    }

    private static byte bit(boolean b) {
        return (byte) (b ? 1 : 0);
    }
}
