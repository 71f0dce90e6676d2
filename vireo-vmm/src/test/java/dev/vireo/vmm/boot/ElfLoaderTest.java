package dev.vireo.vmm.boot;

import dev.vireo.vmm.VmConfigException;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElfLoaderTest {
    private static final long MIB = 1 << 20;

    private static GuestMemory memory(Arena arena, long size) {
        return GuestMemory.of(List.of(new MemoryRegion(0, 0, arena.allocate(size, 4096), 0)));
    }

    @Test
    void loadsSegmentsAtTheirPhysicalAddressesAndZeroesTheirBss() {
        byte[] text = {1, 2, 3, 4};
        byte[] data = {9, 9};
        byte[] elf = new ElfBuilder().entry(0xffff800000100002L)
                .load(0xffff800000100000L, 0x100000, text, 4)
                .load(0x400000, 0x180000, data, 0x1000).build();
        try (Arena arena = Arena.ofConfined()) {
            GuestMemory memory = memory(arena, 4 * MIB);
            memory.write(0x180000, filled(0x1000, (byte) 0x55)); // stale bytes where the bss goes
            ElfLoader.KernelImage image = ElfLoader.load(elf, "test kernel", memory);
            assertEquals(0x100002, image.entry(), "entry translated from virtual to physical");
            assertArrayEquals(text, memory.read(0x100000, 4));
            assertArrayEquals(data, memory.read(0x180000, 2));
            assertArrayEquals(new byte[0x1000 - 2], memory.read(0x180002, 0x1000 - 2));
            assertEquals(0x181000, image.end());
        }
    }

    @Test
    void findsThePvhEntryNote() {
        byte[] elf = new ElfBuilder().entry(0x100000).load(0x100000, 0x100000, new byte[16], 16)
                .note(ElfBuilder.pvhNote(0x100040)).build();
        assertEquals(0x100040, ElfLoader.parse(elf, "k").pvhEntry().orElseThrow());
    }

    @Test
    void rejectsWhatIsNotAnElf64X8664Executable() {
        byte[] good = new ElfBuilder().entry(0x100000).load(0x100000, 0x100000, new byte[16], 16).build();
        assertMessage("k is not an ELF file", "#!/bin/sh\n".getBytes());
        assertMessage("k is a 32-bit ELF; Vireo boots ELF64 x86-64 kernels",
                new ElfBuilder().elfClass(1).entry(0x100000).load(0x100000, 0x100000, new byte[16], 16).build());
        assertMessage("k is a big-endian ELF; Vireo boots ELF64 x86-64 kernels",
                new ElfBuilder().bigEndian().entry(0x100000).load(0x100000, 0x100000, new byte[16], 16).build());
        assertMessage("k is an ELF for machine AArch64, not x86-64",
                new ElfBuilder().machine(183).entry(0x100000).load(0x100000, 0x100000, new byte[16], 16).build());
        assertMessage("k is not an executable ELF (e_type 1)",
                new ElfBuilder().type(1).entry(0x100000).load(0x100000, 0x100000, new byte[16], 16).build());
        assertMessage("k is truncated: segment 0 lies outside the file", Arrays.copyOf(good, good.length - 8));
        assertMessage("k is truncated: shorter than an ELF64 header", Arrays.copyOf(good, 40));
        assertMessage("k has no loadable segments", new ElfBuilder().entry(0x100000).note(new byte[0]).build());
        assertMessage("k: entry point 0x200000 lies outside every loadable segment",
                new ElfBuilder().entry(0x200000).load(0x100000, 0x100000, new byte[16], 16).build());
    }

    @Test
    void rejectsKernelsThatDoNotFitOrOverlapTheBootArea() {
        byte[] big = new ElfBuilder().entry(0x100000).load(0x100000, 0x100000, new byte[16], 8 * MIB).build();
        VmConfigException e = assertThrows(VmConfigException.class,
                () -> ElfLoader.checkFits(ElfLoader.parse(big, "k"), "k", 4 * MIB));
        assertEquals("k: segment at 0x100000 (8388608 bytes) does not fit in guest memory of 4 MiB", e.getMessage());
        byte[] low = new ElfBuilder().entry(0x7000).load(0x7000, 0x7000, new byte[16], 16).build();
        e = assertThrows(VmConfigException.class, () -> ElfLoader.checkFits(ElfLoader.parse(low, "k"), "k", 4 * MIB));
        assertTrue(e.getMessage().startsWith("k: segment at 0x7000 overlaps the boot area below 1 MiB"));
        byte[] inGap = new ElfBuilder().entry(0xD000_0000L).load(0xD000_0000L, 0xD000_0000L, new byte[16], 16).build();
        assertThrows(VmConfigException.class, () -> ElfLoader.checkFits(ElfLoader.parse(inGap, "k"), "k", 8L << 30));
    }

    @Test
    void theBuiltGuestKernelHasAnEntryInTheBootSegmentAndAPvhNote() throws Exception {
        Path guest = Path.of(System.getProperty("vireo.guest.elf", "../guest/target/vireo-guest.elf"));
        ElfLoader.KernelImage image = ElfLoader.parse(Files.readAllBytes(guest), "guest");
        assertTrue(image.entry() >= BootLayout.KERNEL_MIN && image.entry() < 0x200000, "entry near 1 MiB: " + image.entry());
        long pvh = image.pvhEntry().orElseThrow();
        assertTrue(pvh >= BootLayout.KERNEL_MIN && pvh < 0x200000, "32-bit PVH entry near 1 MiB: " + pvh);
        ElfLoader.checkFits(image, "guest", 2 * MIB);
    }

    private static void assertMessage(String expected, byte[] elf) {
        assertEquals(expected, assertThrows(VmConfigException.class, () -> ElfLoader.parse(elf, "k")).getMessage());
    }

    private static byte[] filled(int n, byte value) {
        byte[] b = new byte[n];
        Arrays.fill(b, value);
        return b;
    }

}
