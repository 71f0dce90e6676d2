package dev.vireo.cli;

import dev.vireo.vmm.KvmHost;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code ./vireo vm run} end to end: bad input on any machine, real boots where /dev/kvm exists. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class VmRunIT {
    private static final Optional<String> NO_KVM = KvmHost.unusableReason();
    private static final boolean KVM = NO_KVM.isEmpty();

    record Result(int status, String stdout, String stderr) {
        /** Failures are one line on stderr and never a stack trace. */
        void assertOneLineError(String expected) {
            assertEquals(expected, stderr.strip(), stderr);
            assertFalse(stderr.strip().contains("\n"), stderr);
        }
    }

    static Result vireo(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("vireo-out", ".txt"), err = Files.createTempFile("vireo-err", ".txt");
        try {
            Process p = new ProcessBuilder(concat(Project.VIREO.toString(), args)).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            int status = p.waitFor();
            return new Result(status, Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static List<String> concat(String first, String... rest) {
        List<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all;
    }

    /** An ELF header (class, machine) with one PT_LOAD segment of {@code memsz} bytes at {@code paddr}. */
    static byte[] elf(int elfClass, int machine, long paddr, long memsz) {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) elfClass, 1, 1, 0}).position(16);
        b.putShort((short) 2).putShort((short) machine).putInt(1).putLong(paddr).putLong(64).putLong(0).putInt(0)
                .putShort((short) 64).putShort((short) 56).putShort((short) 1).putShort((short) 64).putShort((short) 0)
                .putShort((short) 0);
        b.putInt(1).putInt(7).putLong(120).putLong(paddr).putLong(paddr).putLong(16).putLong(memsz).putLong(4096);
        return b.array();
    }

    @Test
    void aKernelThatIsNotElfIsBadInput(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("kernel.sh"), "#!/bin/sh\n");
        Result r = vireo("vm", "run", "--kernel", script.toString());
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: kernel " + script + " is not an ELF file");
    }

    @Test
    void aThirtyTwoBitOrForeignKernelIsBadInput(@TempDir Path dir) throws Exception {
        Path i386 = Files.write(dir.resolve("i386.elf"), elf(1, 3, 0x100000, 16));
        Result r = vireo("vm", "run", "--kernel", i386.toString());
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: kernel " + i386 + " is a 32-bit ELF; Vireo boots ELF64 x86-64 kernels");
        Path arm = Files.write(dir.resolve("arm.elf"), elf(2, 183, 0x100000, 16));
        r = vireo("vm", "run", "--kernel", arm.toString());
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: kernel " + arm + " is an ELF for machine AArch64, not x86-64");
    }

    @Test
    void aKernelThatDoesNotFitInMemoryIsBadInput(@TempDir Path dir) throws Exception {
        Path big = Files.write(dir.resolve("big.elf"), elf(2, 62, 0x100000, 8 << 20));
        Result r = vireo("vm", "run", "--kernel", big.toString(), "--memory", "4M");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: kernel " + big + ": segment at 0x100000 (8388608 bytes) does not fit in guest memory of 4 MiB");
    }

    @Test
    void aMissingKernelFileIsBadInput() throws Exception {
        Result r = vireo("vm", "run", "--kernel", "/nonexistent/vmlinux");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: kernel /nonexistent/vmlinux: no such file");
    }

    @Test
    void impossibleMemorySizesAreBadInput() throws Exception {
        Result r = vireo("vm", "run", "--memory", "2049K");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: memory size '2049K' is not a whole number of 4 KiB pages");
        r = vireo("vm", "run", "--memory", "100T");
        assertEquals(2, r.status());
        assertTrue(r.stderr().startsWith("vireo vm: memory size '100T' is more than this host's"), r.stderr());
        r = vireo("vm", "run", "--memory", "zero");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: memory size 'zero' is not a size such as 256M or 1G");
    }

    @Test
    void aMissingOrOddDiskIsBadInput(@TempDir Path dir) throws Exception {
        Result r = vireo("vm", "run", "--disk", "/nonexistent/disk.img");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: disk /nonexistent/disk.img: no such file");
        Path odd = Files.write(dir.resolve("odd.img"), new byte[1000]);
        r = vireo("vm", "run", "--disk", odd.toString());
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: disk " + odd + " is 1000 bytes, not a whole number of 512-byte sectors");
    }

    @Test
    void passthroughIsRefusedInOneLine() throws Exception {
        Result r = vireo("vm", "run", "--passthrough", "0000:01:00.0");
        assertEquals(2, r.status());
        r.assertOneLineError("vireo vm: vm run: --passthrough 0000:01:00.0: device passthrough (VFIO) is not supported "
                + "here: these hosts have no IOMMU and no device to give a guest, and their KVM is itself nested "
                + "(see docs/DIRECT-IO.md)");
    }

    @Test
    @Tag("kvm")
    void statsComparesTheIoPaths() throws Exception {
        requireKvm();
        Result r = vireo("vm", "run", "--cmdline", "io 8", "--stats");
        assertEquals(0, r.status(), r.stderr());
        assertTrue(r.stdout().contains("RESULT workload=io path=virtio-blk kib=8 exits="), r.stdout());
        assertTrue(r.stderr().contains("I/O path         KiB   exits"), r.stderr());
        assertTrue(r.stderr().matches("(?s).*\\nuart +8 +\\d+ +10\\d\\d\\.\\d\\d +1\\.00 .*"), r.stderr());
        assertTrue(r.stderr().matches("(?s).*\\nvirtio-console +8 .*\\nvirtio-blk +8 .*"), r.stderr());
    }

    @Test
    void withoutKvmTheErrorSaysWhatToDo() throws Exception {
        assumeFalse(KVM, "this machine has /dev/kvm");
        String expected = "vireo vm: " + NO_KVM.orElseThrow();
        Result r = vireo("vm", "run");
        assertEquals(2, r.status());
        r.assertOneLineError(expected);
        r = vireo("vm", "run", "--json", "--stats");
        assertEquals(2, r.status());
        r.assertOneLineError(expected);
        assertEquals("", r.stdout());
    }

    @Test
    @Tag("kvm")
    void bootsTheBuiltGuestAndExitsWithItsStatus() throws Exception {
        requireKvm();
        Result r = vireo("vm", "run", "--cmdline", "primes 100000");
        assertEquals(0, r.status(), r.stderr());
        assertTrue(r.stdout().contains("RESULT workload=primes n=100000 count=9592"), r.stdout());
        r = vireo("vm", "run", "--cmdline", "crash pagefault");
        assertEquals(3, r.status(), r.stderr());
        assertTrue(r.stdout().contains("EXCEPTION #PF page fault"), r.stdout());
        r = vireo("vm", "run", "--cmdline", "bogus");
        assertEquals(2, r.status(), r.stderr());
    }

    @Test
    @Tag("kvm")
    void jsonCarriesTheOutcomeResultsAndExitCounters() throws Exception {
        requireKvm();
        Result r = vireo("vm", "run", "--cmdline", "hello", "--json");
        assertEquals(0, r.status(), r.stderr());
        String json = r.stdout().strip();
        assertTrue(json.startsWith("{\"outcome\":{\"kind\":\"powered-off\",\"exit_status\":0"), json);
        assertTrue(json.contains("\"results\":[{\"workload\":\"hello\",\"cpl\":\"3\"}]"), json);
        assertTrue(json.contains("{\"port\":1016,\"device\":\"uart0\""), json);
        assertTrue(r.stderr().contains("Hello from user mode"), "the console moves to stderr: " + r.stderr());
    }

    @Test
    @Tag("kvm")
    void statsPrintsTheExitTable() throws Exception {
        requireKvm();
        Result r = vireo("vm", "run", "--cmdline", "syscalls 100", "--stats");
        assertEquals(0, r.status(), r.stderr());
        assertTrue(r.stderr().startsWith("VM exits: "), r.stderr());
        assertTrue(r.stderr().contains("exit reason"), r.stderr());
        assertTrue(r.stderr().contains("0xf4     exit"), r.stderr());
    }

    @Test
    @Tag("kvm")
    void aTripleFaultOrEmulationFailureIsOneLineAndStatusOne(@TempDir Path dir) throws Exception {
        requireKvm();
        Result r = vireo("vm", "run", "--cmdline", "crash triple");
        assertEquals(1, r.status(), r.stderr());
        assertTrue(r.stderr().strip().matches("vireo vm: the guest triple-faulted \\(KVM_EXIT_SHUTDOWN\\).* RIP .*0x[0-9a-f]+.*; exit status 1"), r.stderr());
        r = vireo("vm", "run", "--cmdline", "crash mmio-exec", "--serial", dir.resolve("console.log").toString());
        assertEquals(1, r.status(), r.stderr());
        assertTrue(r.stderr().strip().startsWith("vireo vm: KVM could not emulate an instruction"), r.stderr());
        assertTrue(r.stderr().contains("instruction bytes"), r.stderr());
        assertTrue(Files.readString(dir.resolve("console.log"), StandardCharsets.UTF_8).contains("booted via vireo"));
    }

    private static void requireKvm() {
        if (!KVM) System.err.println("skipping KVM boots: " + NO_KVM.get());
        assumeTrue(KVM, () -> NO_KVM.get());
    }
}
