package dev.vireo.vmm.boot;

/**
 * Where Vireo puts what the guest finds at boot, all below 1 MiB (docs/BOOT-INFO.md). The
 * kernel's segments must load at or above {@link #KERNEL_MIN}.
 */
public final class BootLayout {
    public static final long GDT = 0x500;
    public static final long IDT = 0x520;
    /** The stack the kernel starts on grows down from here. */
    public static final long STACK_TOP = 0x7000;
    public static final long BOOT_INFO = 0x7000;
    public static final long MEMMAP = 0x7040;
    public static final int MEMMAP_MAX_ENTRIES = 128;
    /** The virtio-mmio device table, after the longest memory map. */
    public static final long VIRTIO_TABLE = 0x7c40;
    public static final int VIRTIO_MAX_ENTRIES = 16;
    public static final long CMDLINE = 0x8000;
    /** Longest command line, without its terminating NUL. */
    public static final int CMDLINE_MAX = 4095;
    /** Identity page tables: PML4, PDPT and one page directory per GiB mapped. */
    public static final long PAGE_TABLES = 0x10000;
    public static final long PAGE_TABLES_END = 0x9F000;
    /** Conventional memory ends here; the legacy VGA and BIOS hole follows up to 1 MiB. */
    public static final long LOW_RAM_END = 0xA0000;
    public static final long KERNEL_MIN = 0x100000;

    private BootLayout() {}
}
