package dev.vireo.vmm.memory;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GuestMemoryTest {

    @Test
    void pagesAreNumberedAcrossRegionsSkippingTheGap() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment low = arena.allocate(3 * GuestMemory.PAGE_SIZE), high = arena.allocate(2 * GuestMemory.PAGE_SIZE);
            GuestMemory memory = GuestMemory.of(List.of(new MemoryRegion(0, 0, low, 0),
                    new MemoryRegion(1, GuestMemory.MMIO_GAP_END, high, 0)));
            assertEquals(5, memory.pages());
            assertEquals(low.address() + 2 * GuestMemory.PAGE_SIZE, memory.page(2).address());
            assertEquals(high.address(), memory.page(3).address());
            assertEquals(high.address() + GuestMemory.PAGE_SIZE, memory.page(4).address());
            assertEquals(GuestMemory.PAGE_SIZE, memory.page(4).byteSize());
            assertThrows(IndexOutOfBoundsException.class, () -> memory.page(5));
            assertEquals(3, memory.pageOf(high.address() + 17));
            assertEquals(1, memory.pageOf(low.address() + GuestMemory.PAGE_SIZE));
            assertEquals(-1, memory.pageOf(high.address() + 2 * GuestMemory.PAGE_SIZE));
        }
    }
}
