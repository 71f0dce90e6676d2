package dev.vireo.vmm.boot;

import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PageTablesTest {

    /** A four-level walk as the CPU does it, stopping at a 2 MiB page; -1 for a fault. */
    private static long translate(GuestMemory memory, long cr3, long va) {
        long pml4e = memory.readLong(cr3 + ((va >>> 39) & 511) * 8);
        if ((pml4e & PageTables.PRESENT) == 0) return -1;
        long pdpte = memory.readLong((pml4e & 0xffffffffff000L) + ((va >>> 30) & 511) * 8);
        if ((pdpte & PageTables.PRESENT) == 0) return -1;
        long pde = memory.readLong((pdpte & 0xffffffffff000L) + ((va >>> 21) & 511) * 8);
        if ((pde & PageTables.PRESENT) == 0) return -1;
        if ((pde & PageTables.LARGE) == 0) throw new AssertionError("expected 2 MiB pages");
        if ((pde & PageTables.WRITABLE) == 0) throw new AssertionError("expected writable pages");
        return (pde & 0xfffffffe00000L) | (va & 0x1fffff);
    }

    @Test
    void identityMapsEveryAddressBelowTheMappedSizeAndNothingAbove() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory memory = GuestMemory.of(List.of(new MemoryRegion(0, 0, arena.allocate(1 << 20, 4096), 0)));
            long mapped = PageTables.mappedBytes(64L << 20);
            assertEquals(4L << 30, mapped, "at least the 32-bit space");
            long cr3 = PageTables.build(memory, mapped);
            assertEquals(BootLayout.PAGE_TABLES, cr3);
            for (long va : new long[] {0, 0x1234, 0x100000, 0x1fffff, 0x200000, 0xCFFF_FFFFL, 0xFEE0_0000L, (4L << 30) - 1}) {
                assertEquals(va, translate(memory, cr3, va), String.format("0x%x", va));
            }
            assertEquals(-1, translate(memory, cr3, 4L << 30));
            assertEquals(-1, translate(memory, cr3, 0xffff800000000000L));
        }
    }

    @Test
    void coversMemoryAboveFourGibInWholeGib() {
        assertEquals(9L << 30, PageTables.mappedBytes((8L << 30) + 1));
        assertEquals(2 + 9, PageTables.tablePages(9L << 30));
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory memory = GuestMemory.of(List.of(new MemoryRegion(0, 0, arena.allocate(1 << 20, 4096), 0)));
            long cr3 = PageTables.build(memory, 9L << 30);
            assertEquals((8L << 30) + 0x345678, translate(memory, cr3, (8L << 30) + 0x345678));
            assertThrows(IllegalArgumentException.class, () -> PageTables.build(memory, 200L << 30));
        }
    }
}
