package dev.vireo.vmm.boot;

import dev.vireo.vmm.VmConfigException;
import dev.vireo.vmm.kvm.Segment;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BootInfoTest {

    @Test
    void writesTheStructureTheGuestHeaderDescribes() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory memory = GuestMemory.of(List.of(new MemoryRegion(0, 0, arena.allocate(8 << 20, 4096), 0)));
            long at = BootInfo.write(memory, "primes 100000", 2_000_000, 1,
                    List.of(new BootInfo.VirtioMmio(0xd0001000L, 0x1000, 5)));
            ByteBuffer b = ByteBuffer.wrap(memory.read(at, BootInfo.SIZE)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x42524956, b.getInt(0), "magic VIRB");
            assertEquals(2, b.getInt(4));
            long cmdline = b.getLong(8);
            assertEquals(13, b.getInt(16));
            assertEquals("primes 100000\0", new String(memory.read(cmdline, 14), StandardCharsets.US_ASCII));
            int entries = b.getInt(20);
            long map = b.getLong(24);
            assertEquals(2_000_000, b.getLong(32));
            assertEquals(1, b.getInt(40));
            assertEquals(1, b.getInt(48), "one virtio-mmio device");
            ByteBuffer d = ByteBuffer.wrap(memory.read(b.getLong(56), 16)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0xd0001000L, d.getLong(0));
            assertEquals(0x1000, d.getInt(8));
            assertEquals(5, d.getInt(12));
            assertEquals(3, entries);
            ByteBuffer m = ByteBuffer.wrap(memory.read(map, entries * 24)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(List.of(new BootInfo.MapEntry(0, 0xA0000, BootInfo.RAM),
                    new BootInfo.MapEntry(0xA0000, 0x60000, BootInfo.RESERVED),
                    new BootInfo.MapEntry(0x100000, (8 << 20) - 0x100000, BootInfo.RAM)),
                    List.of(entry(m, 0), entry(m, 24), entry(m, 48)));
        }
    }

    @Test
    void mapsMemoryAboveTheGapFromFourGib() {
        try (GuestMemory memory = GuestMemory.anonymous(GuestMemory.MMIO_GAP_START + (1 << 30))) {
            List<BootInfo.MapEntry> map = BootInfo.memoryMap(memory);
            assertEquals(new BootInfo.MapEntry(GuestMemory.MMIO_GAP_END, 1 << 30, BootInfo.RAM), map.getLast());
            assertEquals(2, memory.regions().size(), "one slot below the gap, one above");
        }
        assertTrue(GuestMemory.isRam(4L << 30, GuestMemory.MMIO_GAP_END, 4096));
        assertFalse(GuestMemory.isRam(4L << 30, GuestMemory.MMIO_GAP_START, 4096));
    }

    @Test
    void refusesACommandLineThatDoesNotFit() {
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory memory = GuestMemory.of(List.of(new MemoryRegion(0, 0, arena.allocate(4 << 20, 4096), 0)));
            VmConfigException e = assertThrows(VmConfigException.class, () -> BootInfo.write(memory, "x".repeat(5000), 0, 1, List.of()));
            assertEquals("the command line is 5000 bytes; at most 4095 fit", e.getMessage());
        }
    }

    @Test
    void bootSegmentsMatchTheirGdtDescriptors() {
        Segment code = Gdt.code();
        assertEquals(0x08, code.selector());
        assertTrue(code.l() && code.present() && code.s() && code.g());
        assertEquals(0xb, code.type());
        assertEquals(0xffffffff, code.limit());
        Segment data = Gdt.data();
        assertTrue(data.db() && !data.l());
        assertEquals(3, data.type());
        Segment tss = Gdt.tss();
        assertEquals(0xb, tss.type(), "busy 64-bit TSS");
        assertFalse(tss.s());
    }

    private static BootInfo.MapEntry entry(ByteBuffer m, int at) {
        return new BootInfo.MapEntry(m.getLong(at), m.getLong(at + 8), m.getInt(at + 16));
    }
}
