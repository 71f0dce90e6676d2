package dev.vireo.vmm.memory;

import org.junit.jupiter.api.Test;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            assertEquals(List.of(low.asSlice(2 * GuestMemory.PAGE_SIZE), high.asSlice(0, GuestMemory.PAGE_SIZE)), memory.pages(2, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> memory.pages(4, 2));
        }
    }

    @Test
    void untouchedAnonymousPagesAreFoundAndTouchedOnesAreNot() throws Exception {
        int pages = 4096; // 16 MiB: a touch faults in at most its 2 MiB huge page, far from page 4000
        try (GuestMemory memory = GuestMemory.anonymous((long) pages * GuestMemory.PAGE_SIZE)) {
            memory.page(3).set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            memory.page(700).get(ValueLayout.JAVA_BYTE, 100); // a read maps the zero page: touched too
            BitSet untouched = memory.untouchedPages();
            assertFalse(untouched.get(3));
            assertFalse(untouched.get(700));
            assertTrue(untouched.get(4000));
            assertTrue(untouched.cardinality() >= pages - 2 * 512, untouched.cardinality() + " untouched");
        }
    }

    @Test
    void memoryThatStartsAsAFileHasNoUntouchedPages() throws Exception {
        Path file = Files.createTempFile("guest-memory", ".bin");
        try (Fd fd = FileIo.open(file.toString(), FileIo.O_RDONLY);
             GuestMemory memory = GuestMemory.mapPrivate(fd, 16 * GuestMemory.PAGE_SIZE)) {
            assertTrue(memory.untouchedPages().isEmpty(), "a page not yet read holds the file's bytes, not zeros");
        } finally {
            Files.delete(file);
        }
    }
}
