package dev.vireo.vmm.boot;

import dev.vireo.vmm.memory.GuestMemory;

/**
 * The identity page tables the kernel starts with: guest-virtual = guest-physical over
 * {@code [0, mappedBytes)}, in 2 MiB pages, supervisor and writable. One PML4 page, one PDPT
 * page and one page directory per GiB, from {@link BootLayout#PAGE_TABLES}.
 */
public final class PageTables {
    static final long PRESENT = 1, WRITABLE = 2, LARGE = 0x80;
    private static final long GIB = 1L << 30;

    private PageTables() {}

    /** The bytes mapped for a guest whose RAM ends at {@code ramEnd}: at least 4 GiB, whole GiB. */
    public static long mappedBytes(long ramEnd) {
        long end = Math.max(ramEnd, 1L << 32);
        return (end + GIB - 1) / GIB * GIB;
    }

    /** Pages the tables for {@code mappedBytes} occupy. */
    public static long tablePages(long mappedBytes) {
        return 2 + mappedBytes / GIB;
    }

    /** Writes the tables and returns the PML4's guest-physical address, the value for CR3. */
    public static long build(GuestMemory memory, long mappedBytes) {
        if (mappedBytes % GIB != 0 || mappedBytes <= 0 || mappedBytes > 512 * GIB) {
            throw new IllegalArgumentException("identity map must be whole GiB up to 512 GiB: " + mappedBytes);
        }
        long pml4 = BootLayout.PAGE_TABLES, pdpt = pml4 + 4096, firstPd = pdpt + 4096;
        long gibs = mappedBytes / GIB;
        if (firstPd + gibs * 4096 > BootLayout.PAGE_TABLES_END) {
            throw new IllegalArgumentException("identity map of " + gibs + " GiB does not fit below 0x9f000");
        }
        memory.write(pml4, new byte[4096]);
        memory.write(pdpt, new byte[4096]);
        memory.writeLong(pml4, pdpt | PRESENT | WRITABLE);
        for (long g = 0; g < gibs; g++) {
            long pd = firstPd + g * 4096;
            memory.writeLong(pdpt + g * 8, pd | PRESENT | WRITABLE);
            for (long e = 0; e < 512; e++) {
                memory.writeLong(pd + e * 8, (g * GIB + e * (2L << 20)) | PRESENT | WRITABLE | LARGE);
            }
        }
        return pml4;
    }
}
