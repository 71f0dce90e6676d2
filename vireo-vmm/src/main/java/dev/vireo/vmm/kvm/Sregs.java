package dev.vireo.vmm.kvm;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct kvm_sregs}: segment registers, descriptor tables, control registers, EFER,
 * the APIC base and the pending-interrupt bitmap (312 bytes).
 */
public record Sregs(Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss, Segment tr,
                    Segment ldt, DescriptorTable gdt, DescriptorTable idt, long cr0, long cr2, long cr3,
                    long cr4, long cr8, long efer, long apicBase, long[] interruptBitmap) {
    public static final long SIZE = 312;

    /** {@code struct kvm_dtable}: base and limit of the GDT or IDT. */
    public record DescriptorTable(long base, int limit) {}

    public Sregs {
        interruptBitmap = interruptBitmap.clone();
    }

    @Override
    public long[] interruptBitmap() {
        return interruptBitmap.clone();
    }

    public Sregs withSegments(Segment code, Segment data, Segment task, DescriptorTable gdt, DescriptorTable idt) {
        return new Sregs(code, data, data, data, data, data, task, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8,
                efer, apicBase, interruptBitmap);
    }

    public Sregs withControl(long cr0, long cr3, long cr4, long efer) {
        return new Sregs(cs, ds, es, fs, gs, ss, tr, ldt, gdt, idt, cr0, cr2, cr3, cr4, cr8, efer, apicBase,
                interruptBitmap);
    }

    /** The structure as KVM lays it out, for state files. */
    public byte[] toBytes() {
        return Structs.bytes(SIZE, this::write);
    }

    /** The structure from its {@link #toBytes()} form; a wrong length is an IllegalArgumentException. */
    public static Sregs fromBytes(byte[] bytes) {
        return Structs.parse(bytes, SIZE, "kvm_sregs", Sregs::read);
    }

    static Sregs read(MemorySegment m) {
        Segment[] seg = new Segment[8];
        for (int i = 0; i < 8; i++) seg[i] = Segment.read(m, i * Segment.SIZE);
        long[] bitmap = new long[4];
        for (int i = 0; i < 4; i++) bitmap[i] = m.get(JAVA_LONG, 280 + i * 8L);
        return new Sregs(seg[0], seg[1], seg[2], seg[3], seg[4], seg[5], seg[6], seg[7], table(m, 192),
                table(m, 208), m.get(JAVA_LONG, 224), m.get(JAVA_LONG, 232), m.get(JAVA_LONG, 240),
                m.get(JAVA_LONG, 248), m.get(JAVA_LONG, 256), m.get(JAVA_LONG, 264), m.get(JAVA_LONG, 272), bitmap);
    }

    void write(MemorySegment m) {
        Segment[] seg = {cs, ds, es, fs, gs, ss, tr, ldt};
        for (int i = 0; i < 8; i++) seg[i].write(m, i * Segment.SIZE);
        writeTable(m, 192, gdt);
        writeTable(m, 208, idt);
        long[] control = {cr0, cr2, cr3, cr4, cr8, efer, apicBase};
        for (int i = 0; i < control.length; i++) m.set(JAVA_LONG, 224 + i * 8L, control[i]);
        for (int i = 0; i < 4; i++) m.set(JAVA_LONG, 280 + i * 8L, interruptBitmap[i]);
    }

    private static DescriptorTable table(MemorySegment m, long at) {
        return new DescriptorTable(m.get(JAVA_LONG, at), Short.toUnsignedInt(m.get(JAVA_SHORT, at + 8)));
    }

    private static void writeTable(MemorySegment m, long at, DescriptorTable t) {
        m.set(JAVA_LONG, at, t.base());
        m.set(JAVA_SHORT, at + 8, (short) t.limit());
        for (int i = 10; i < 16; i++) m.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at + i, (byte) 0);
    }
}
