package dev.vireo.vmm.boot;

import dev.vireo.vmm.kvm.Segment;
import dev.vireo.vmm.memory.GuestMemory;

/**
 * The boot GDT: null, 64-bit code, data and a TSS descriptor, written to guest memory so the
 * segment registers KVM is given match what the guest would load from its own table.
 */
public final class Gdt {
    public static final int CODE_SELECTOR = 0x08, DATA_SELECTOR = 0x10, TSS_SELECTOR = 0x18;

    /** Present, DPL 0, 64-bit (L) code, readable, accessed; base 0, limit 4 GiB. */
    public static final long CODE = 0x00af_9b00_0000_ffffL;
    /** Present, DPL 0, 32-bit data, writable, accessed; base 0, limit 4 GiB. */
    public static final long DATA = 0x00cf_9300_0000_ffffL;
    /** Present busy 64-bit TSS at 0 with limit 0x67 (no guest reads it before loading its own). */
    public static final long TSS = 0x0000_8b00_0000_0067L;

    private static final long[] ENTRIES = {0, CODE, DATA, TSS};

    private Gdt() {}

    /** Writes the table at {@link BootLayout#GDT}; returns its limit (size - 1). */
    public static int write(GuestMemory memory) {
        for (int i = 0; i < ENTRIES.length; i++) memory.writeLong(BootLayout.GDT + i * 8L, ENTRIES[i]);
        memory.writeLong(BootLayout.IDT, 0);
        return ENTRIES.length * 8 - 1;
    }

    public static Segment code() {
        return Segment.fromDescriptor(CODE_SELECTOR, CODE);
    }

    public static Segment data() {
        return Segment.fromDescriptor(DATA_SELECTOR, DATA);
    }

    public static Segment tss() {
        return Segment.fromDescriptor(TSS_SELECTOR, TSS);
    }
}
