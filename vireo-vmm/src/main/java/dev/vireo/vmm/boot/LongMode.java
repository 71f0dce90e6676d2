package dev.vireo.vmm.boot;

import dev.vireo.vmm.kvm.Regs;
import dev.vireo.vmm.kvm.Sregs;
import dev.vireo.vmm.memory.GuestMemory;

/**
 * Puts the boot vCPU straight into 64-bit long mode, as Firecracker does for a vmlinux: paging
 * on with the identity tables, PAE, EFER.LME|LMA, flat 64-bit code and data segments from the
 * boot GDT. On KVM-PVM hosts this matters twice over: the guest never runs emulated real-mode
 * or protected-mode code before it reaches long mode.
 */
public final class LongMode {
    static final long CR0_PE = 1, CR0_MP = 1 << 1, CR0_ET = 1 << 4, CR0_NE = 1 << 5, CR0_WP = 1 << 16,
            CR0_PG = 1L << 31;
    static final long CR4_PAE = 1 << 5;
    static final long EFER_LME = 1 << 8, EFER_LMA = 1 << 10;

    /** The registers that start the kernel. */
    public record BootState(Sregs sregs, Regs regs) {}

    private LongMode() {}

    /**
     * Writes the GDT and identity page tables into guest memory and returns the state that
     * starts the CPU at {@code entry} with RDI = {@code bootInfo}.
     */
    public static BootState setUp(GuestMemory memory, Sregs initial, long entry, long bootInfo) {
        int gdtLimit = Gdt.write(memory);
        long ramEnd = memory.regions().stream().mapToLong(r -> r.end()).max().orElseThrow();
        long cr3 = PageTables.build(memory, PageTables.mappedBytes(ramEnd));
        Sregs sregs = initial
                .withSegments(Gdt.code(), Gdt.data(), Gdt.tss(),
                        new Sregs.DescriptorTable(BootLayout.GDT, gdtLimit),
                        new Sregs.DescriptorTable(BootLayout.IDT, 7))
                .withControl(CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG, cr3, CR4_PAE, EFER_LME | EFER_LMA);
        return new BootState(sregs, Regs.start(entry, BootLayout.STACK_TOP, bootInfo));
    }
}
