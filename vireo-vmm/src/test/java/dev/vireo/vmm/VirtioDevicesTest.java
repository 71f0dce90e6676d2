package dev.vireo.vmm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The guest's virtio drivers against Vireo's devices on KVM: console, blk, rng, and a ring that loops. */
@Tag("kvm")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class VirtioDevicesTest {

    /** The io RESULT line of {@code path}. */
    static GuestResult io(GuestWorkloadsTest.Run run, String path) {
        return run.results().stream().filter(r -> path.equals(r.get("path"))).findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT for path " + path + " in:\n" + run.console()));
    }

    @BeforeAll
    static void requireKvm() {
        KvmAvailable.assume();
    }

    static GuestWorkloadsTest.Run boot(String cmdline, Path disk) throws InterruptedException {
        return GuestWorkloadsTest.boot(cmdline, 64L << 20, disk);
    }

    /** The bytes the io workload writes: lines of 63 letters, a-z in turn. */
    static byte[] ioPattern(int kib) {
        byte[] b = new byte[kib * 1024];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i % 64 == 63 ? '\n' : 'a' + (i / 64) % 26);
        return b;
    }

    @Test
    void ioWritesThroughTheUartVirtioConsoleAndVirtioBlk(@TempDir Path dir) throws Exception {
        Path disk = Files.write(dir.resolve("disk.img"), new byte[1 << 20]);
        GuestWorkloadsTest.Run run = boot("io 16", disk);
        assertEquals(new VmOutcome.PoweredOff(0), run.outcome(), run.console());
        GuestResult uart = io(run, "uart"), console = io(run, "virtio-console"), blk = io(run, "virtio-blk");
        for (GuestResult r : List.of(uart, console, blk)) {
            assertEquals("io", r.workload());
            assertEquals("16", r.get("kib"));
            assertEquals(List.of("workload", "path", "kib", "exits", "exits_per_kib", "us"), List.copyOf(r.fields().keySet()));
        }
        assertTrue(Long.parseLong(uart.get("exits")) >= 16 * 1024, "an exit per byte at least: " + uart);
        assertEquals(6, run.samples().size(), "the guest read port 0xf0 around each of three phases");
        for (int i = 0; i < 3; i++) {
            ExitSample before = run.samples().get(2 * i), after = run.samples().get(2 * i + 1);
            long vmm = after.vmmExits() - before.vmmExits() - 1;
            assertEquals(Long.parseLong(List.of(uart, console, blk).get(i).get("exits")), vmm, "the guest reported the VMM's count");
            assertTrue(after.kvmExits() - before.kvmExits() - 1 >= vmm, "KVM counts every exit the VMM sees, and more");
        }
        assertTrue(Long.parseLong(console.get("exits")) < 16, "ioeventfd takes the notifications: " + console);
        assertTrue(Long.parseLong(blk.get("exits")) < 16, "ioeventfd takes the notifications: " + blk);
        String text = new String(ioPattern(16));
        assertEquals(2, run.console().split(java.util.regex.Pattern.quote(text), -1).length - 1,
                "the same text arrived once through the UART and once through virtio-console");
        assertTrue(run.console().contains("io: virtio-blk id=disk.img sectors=2048"), run.console());
        assertArrayEquals(ioPattern(16), Arrays.copyOf(Files.readAllBytes(disk), 16 * 1024), "the guest's write reached the image");
        assertEquals(List.of(), run.log());
    }

    @Test
    void rngFillsTheGuestsBuffer() throws Exception {
        GuestWorkloadsTest.Run run = boot("rng 65536", null);
        assertEquals(new VmOutcome.PoweredOff(0), run.outcome(), run.console());
        GuestResult r = run.result();
        assertEquals("rng", r.workload());
        assertEquals("65536", r.get("bytes"));
        assertEquals("256", r.get("distinct"), "64 KiB of random bytes hold every value");
    }

    @Test
    void aLoopingChainBreaksTheDeviceNotTheVmm() throws Exception {
        GuestWorkloadsTest.Run run = boot("badring", null);
        assertEquals(new VmOutcome.PoweredOff(0), run.outcome(), run.console());
        GuestResult r = run.result();
        assertEquals("needs-reset", r.get("device"));
        assertEquals("refused", r.get("after"), "a broken device takes no requests until reset");
        assertEquals(List.of("virtio-rng queue 0: the chain from descriptor 0 is longer than its table of 16 (a loop?); "
                + "the device needs a reset (1 so far)"), run.log());
    }

    @Test
    void aSnapshotTakenDuringVirtioIoContinuesWithItsQueues(@TempDir Path dir) throws Exception {
        Path disk = Files.write(dir.resolve("disk.img"), new byte[1 << 20]);
        Path snapshot = dir.resolve("snap");
        // The guest is held at its "virtio-blk id=" line until the pause is under way (its thread
        // waits for the vCPU to park), so it is paused before its virtio-blk requests, however fast
        // it runs; the pause request is always seen before the vCPU enters the guest again.
        AtomicReference<Thread> pauser = new AtomicReference<>();
        GuestWorkloadsTest.Text console = new GuestWorkloadsTest.Text("io: virtio-blk id=",
                () -> pauser.get() != null && pauser.get().getState() == Thread.State.WAITING);
        VmConfig config = VmConfig.builder().cmdline("io 16").memory(64L << 20).console(console).log(l -> { }).disk(disk).build();
        List<GuestResult> before;
        try (VirtualMachine vm = VirtualMachine.create(config)) {
            vm.start();
            console.await();
            FutureTask<VmState> pause = new FutureTask<>(() -> vm.handle(new VmmAction.Pause()));
            pauser.set(Thread.ofPlatform().unstarted(pause));
            pauser.get().start();
            assertEquals(VmState.PAUSED, pause.get());
            vm.handle(new VmmAction.CreateSnapshot(snapshot));
            before = vm.results();
            vm.handle(new VmmAction.Stop());
            vm.awaitOutcome();
        }

        ByteArrayOutputStream restored = new ByteArrayOutputStream();
        List<String> log = new CopyOnWriteArrayList<>();
        try (VirtualMachine vm = VirtualMachine.restore(snapshot, restored, null, log::add, disk)) {
            vm.start();
            assertEquals(new VmOutcome.PoweredOff(0), vm.awaitOutcome(), "the guest checked what it read back: " + restored);
            List<GuestResult> all = new ArrayList<>(before);
            all.addAll(vm.results());
            assertTrue(all.stream().anyMatch(r -> "virtio-blk".equals(r.get("path"))), all.toString());
        }
        assertFalse(restored.toString().contains("booted via"), "the restored guest does not boot again");
        assertEquals(List.of(), log);
    }

    @Test
    void aDiskOfAnotherSizeIsRefusedOnRestore(@TempDir Path dir) throws Exception {
        Path disk = Files.write(dir.resolve("disk.img"), new byte[1 << 20]);
        Path snapshot = dir.resolve("snap");
        GuestWorkloadsTest.Text console = new GuestWorkloadsTest.Text("cmdline");
        VmConfig config = VmConfig.builder().cmdline("syscalls 1000000000").console(console).log(l -> { }).disk(disk).build();
        try (VirtualMachine vm = VirtualMachine.create(config)) {
            vm.start();
            console.await();
            vm.handle(new VmmAction.Pause());
            vm.handle(new VmmAction.CreateSnapshot(snapshot));
        }
        Files.write(disk, new byte[2 << 20]);
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> VirtualMachine.restore(snapshot, new ByteArrayOutputStream(), null, l -> { }, disk));
        assertEquals("the saved state of device virtio-blk is malformed: the disk has 4096 sectors, the saved machine's had 2048",
                e.getMessage());
    }
}
