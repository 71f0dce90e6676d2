package dev.vireo.vmm.snapshot;

import dev.vireo.vmm.SnapshotException;
import dev.vireo.vmm.devices.legacy.Serial16550;
import dev.vireo.vmm.kvm.CpuidEntry;
import dev.vireo.vmm.kvm.Fpu;
import dev.vireo.vmm.kvm.Msr;
import dev.vireo.vmm.kvm.Regs;
import dev.vireo.vmm.kvm.Sregs;
import dev.vireo.vmm.kvm.VcpuState;
import dev.vireo.vmm.kvm.VmPlatformState;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The machine state's binary form and snapshot directories, without KVM: round trips and every refusal. */
class SnapshotFormatTest {
    private static final long MIB = 1 << 20;

    static MachineState sample() throws IOException {
        Regs regs = new Regs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x401234, 0x202);
        byte[] sregsBytes = new byte[312];
        sregsBytes[224] = 0x33; // cr0's low byte
        byte[] xsave = new byte[4096];
        Arrays.fill(xsave, 512, 520, (byte) 0x7f);
        VcpuState vcpu = new VcpuState(0, List.of(new CpuidEntry(1, 0, 0, 0x600, 0, 0x80000000, 0x178bfbff)), 0, regs,
                Sregs.fromBytes(sregsBytes), Fpu.initial(), xsave, new byte[392], new byte[128], null,
                List.of(new Msr(0x10, 123456789L), new Msr(0xc0000080, 0x500)), new byte[64]);
        byte[] clock = new byte[48];
        clock[0] = 42;
        Map<String, byte[]> devices = new LinkedHashMap<>();
        devices.put("uart0", uartState(new Serial16550("uart0", b -> { }, asserted -> { })));
        devices.put("exit", new byte[0]);
        return new MachineState(new MachineState.Config(4 * MIB, 1, "the bundled guest kernel", "memtouch 2 5", List.of("uart0", "exit")),
                List.of(vcpu), new VmPlatformState(List.of(), null, clock), devices);
    }

    static byte[] uartState(Serial16550 uart) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        uart.saveState(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    @Test
    void stateRoundTripsThroughItsBinaryForm() throws IOException {
        MachineState state = sample();
        MachineState back = StateFile.decode(StateFile.encode(state), "test");
        assertEquals(state.config(), back.config());
        VcpuState v = back.vcpus().getFirst();
        assertEquals(state.vcpus().getFirst().regs(), v.regs());
        assertEquals(0x33, v.sregs().cr0());
        assertArrayEquals(state.vcpus().getFirst().xsave(), v.xsave());
        assertNull(v.lapic(), "no in-kernel irqchip, no LAPIC page");
        assertEquals(state.vcpus().getFirst().msrs(), v.msrs());
        assertEquals(state.vcpus().getFirst().cpuid(), v.cpuid());
        assertEquals(Fpu.initial().mxcsr(), v.fpu().mxcsr());
        assertTrue(back.platform().irqchips().isEmpty());
        assertNull(back.platform().pit2());
        assertEquals(42, back.platform().clock()[0]);
        assertArrayEquals(state.devices().get("uart0"), back.devices().get("uart0"));
        assertEquals(List.of("uart0", "exit"), List.copyOf(back.devices().keySet()));
    }

    @Test
    void aDamagedSectionFailsItsCrc() throws IOException {
        byte[] bytes = StateFile.encode(sample());
        int at = indexOf(bytes, "vcpu/0".getBytes(StandardCharsets.UTF_8)) + 20;
        bytes[at] ^= 1;
        SnapshotException e = assertThrows(SnapshotException.class, () -> StateFile.decode(bytes, "state"));
        assertEquals("state: section vcpu/0 does not match its CRC-32C (the file is damaged)", e.getMessage());
    }

    @Test
    void anotherFormatVersionOrATruncatedFileIsRefused() throws IOException {
        byte[] bytes = StateFile.encode(sample());
        byte[] newer = bytes.clone();
        newer[11] = 2;
        assertEquals("state is format version 2; this Vireo reads version 1",
                assertThrows(SnapshotException.class, () -> StateFile.decode(newer, "state")).getMessage());
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 10);
        assertEquals("state is truncated", assertThrows(SnapshotException.class, () -> StateFile.decode(cut, "state")).getMessage());
        assertEquals("state is not a Vireo machine state file",
                assertThrows(SnapshotException.class, () -> StateFile.decode("hello".repeat(4).getBytes(), "state")).getMessage());
    }

    @Test
    void aMissingDeviceSectionIsIncomplete() throws IOException {
        MachineState state = sample();
        Map<String, byte[]> devices = new LinkedHashMap<>(state.devices());
        devices.remove("exit");
        byte[] bytes = StateFile.encode(new MachineState(state.config(), state.vcpus(), state.platform(), devices));
        assertEquals("state is incomplete: section device/exit is missing",
                assertThrows(SnapshotException.class, () -> StateFile.decode(bytes, "state")).getMessage());
    }

    @Test
    void uartRegistersAndFifoSurviveSaveAndRestore() throws IOException {
        Serial16550 uart = new Serial16550("uart0", b -> { }, asserted -> { });
        uart.write(2, 1, 0xc7); // FIFO on, trigger level 14
        uart.write(1, 1, 0x05); // IER: received data, line status
        uart.write(7, 1, 0x5a); // scratch
        uart.write(4, 1, 0x10); // loopback: what is sent comes back
        uart.write(0, 1, 'h');
        uart.write(0, 1, 'i');
        Serial16550 restored = new Serial16550("uart0", b -> { }, asserted -> { });
        restored.restoreState(new DataInputStream(new ByteArrayInputStream(uartState(uart))));
        assertEquals(0x5a, restored.read(7, 1));
        assertEquals(0x05, restored.read(1, 1));
        assertEquals(0xcc, restored.read(2, 1), "timeout interrupt pending with FIFOs on: 2 bytes under trigger level 14");
        assertEquals('h', restored.read(0, 1));
        assertEquals('i', restored.read(0, 1));
        assertEquals(0x60, restored.read(5, 1), "FIFO empty, transmitter empty");
    }

    @Test
    void aUartStateWithImpossibleValuesIsRefused() throws IOException {
        byte[] state = uartState(new Serial16550("uart0", b -> { }, asserted -> { }));
        state[9] = 17; // 17 bytes in a 16-byte FIFO
        Serial16550 uart = new Serial16550("uart0", b -> { }, asserted -> { });
        IOException e = assertThrows(IOException.class,
                () -> uart.restoreState(new DataInputStream(new ByteArrayInputStream(state))));
        assertTrue(e.getMessage().startsWith("uart receive FIFO position"), e.getMessage());
    }

    @Test
    void snapshotDirectoryHoldsOnlyTouchedPagesAndLoadsBack(@TempDir Path tmp) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(4 * MIB, 4096);
            ram.set(JAVA_LONG, 0x1000, 0x1122334455667788L);
            ram.set(JAVA_LONG, 0x2ff8, -1L);
            ram.set(JAVA_BYTE, 3 * MIB + 5, (byte) 9);
            GuestMemory memory = GuestMemory.of(List.of(new MemoryRegion(0, 0, ram, 0)));
            Path dir = tmp.resolve("snap");
            SnapshotDirectory.Written written = SnapshotDirectory.write(dir, sample(), memory);
            assertEquals(3 * 4096, written.memoryDataBytes(), "two adjacent pages and one more are written");
            assertEquals(4 * MIB, Files.size(dir.resolve("memory")));
            try (var names = Files.list(tmp)) {
                assertEquals(List.of(dir), names.toList(), "no temporary directory is left");
            }
            String manifest = Files.readString(dir.resolve("manifest.json"));
            assertTrue(manifest.contains("\"format\": \"vireo-vm-snapshot\""), manifest);
            assertTrue(manifest.contains("\"offset\": 4096"), manifest);

            SnapshotDirectory.Loaded loaded = SnapshotDirectory.load(dir);
            assertEquals("memtouch 2 5", loaded.state().config().cmdline());
            assertEquals(3 * 4096, loaded.memoryDataBytes());
            byte[] file = Files.readAllBytes(loaded.memory());
            assertArrayEquals(ram.toArray(JAVA_BYTE), file);
        }
    }

    @Test
    void snapshotsThatAreIncompleteDamagedOrOfAnotherVersionAreRefused(@TempDir Path tmp) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(4 * MIB, 4096);
            ram.set(JAVA_LONG, 0x5000, 77);
            GuestMemory memory = GuestMemory.of(List.of(new MemoryRegion(0, 0, ram, 0)));
            Path dir = tmp.resolve("snap");
            SnapshotDirectory.write(dir, sample(), memory);
            assertThrows(FileAlreadyExistsException.class, () -> SnapshotDirectory.write(dir, sample(), memory));

            Path manifest = dir.resolve("manifest.json");
            String original = Files.readString(manifest);
            Files.writeString(manifest, original.replace("\"version\": 1", "\"version\": 9"));
            assertEquals("snapshot " + dir + " is format version 9; this Vireo reads version 1", refusal(dir));
            Files.writeString(manifest, original);

            byte[] mem = Files.readAllBytes(dir.resolve("memory"));
            mem[0x5000] = 78;
            Files.write(dir.resolve("memory"), mem);
            assertTrue(refusal(dir).startsWith("snapshot " + dir + ": memory does not match its checksum (CRC-32C "), refusal(dir));
            mem[0x5000] = 77;
            Files.write(dir.resolve("memory"), mem);

            byte[] state = Files.readAllBytes(dir.resolve("state"));
            Files.write(dir.resolve("state"), Arrays.copyOf(state, state.length - 1));
            assertEquals("snapshot " + dir + " is incomplete: state is " + (state.length - 1) + " bytes, the manifest says " + state.length,
                    refusal(dir));
            Files.delete(dir.resolve("state"));
            assertEquals("snapshot " + dir + " is incomplete: state is missing", refusal(dir));
            Files.delete(manifest);
            assertEquals("snapshot " + dir + " is incomplete: manifest.json is missing", refusal(dir));
            assertEquals("snapshot " + tmp.resolve("none") + ": no such directory", refusal(tmp.resolve("none")));
        }
    }

    private static String refusal(Path dir) {
        return assertThrows(SnapshotException.class, () -> SnapshotDirectory.load(dir)).getMessage();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) return i;
        }
        throw new AssertionError("not found");
    }
}
