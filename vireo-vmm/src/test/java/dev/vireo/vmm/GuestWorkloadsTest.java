package dev.vireo.vmm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Boots the guest kernel on KVM with each workload and checks its RESULT line and the exit counters. */
@Tag("kvm")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class GuestWorkloadsTest {

    record Run(VmOutcome outcome, List<GuestResult> results, ExitStatistics stats, String console, List<String> log,
               List<ExitSample> samples) {
        GuestResult result() {
            assertEquals(1, results.size(), "one RESULT line in:\n" + console);
            return results.getFirst();
        }
    }

    @BeforeAll
    static void requireKvm() {
        KvmAvailable.assume();
    }

    static Run boot(String cmdline, long memory) throws InterruptedException {
        return boot(cmdline, memory, null);
    }

    /** Boots with {@code disk} behind virtio-blk (null: a scratch disk). */
    static Run boot(String cmdline, long memory, Path disk) throws InterruptedException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        List<String> log = new CopyOnWriteArrayList<>();
        VmConfig config = VmConfig.builder().cmdline(cmdline).memory(memory).console(console).log(log::add).disk(disk).build();
        try (VirtualMachine vm = VirtualMachine.create(config)) {
            vm.start();
            VmOutcome outcome = vm.awaitOutcome();
            return new Run(outcome, vm.results(), vm.statistics(), console.toString(), log, vm.exitSamples());
        }
    }

    static Run boot(String cmdline) throws InterruptedException {
        return boot(cmdline, 64L << 20);
    }

    /** The counters are consistent: reasons sum to the total, ports to IO, pages to MMIO. */
    static void assertCountersAddUp(ExitStatistics s) {
        assertEquals(s.exits(), s.reasons().stream().mapToLong(ExitStatistics.Reason::count).sum());
        assertEquals(s.count("IO"), s.ports().stream().mapToLong(ExitStatistics.Port::exits).sum());
        assertEquals(s.count("MMIO"), s.mmioPages().stream().mapToLong(ExitStatistics.MmioPage::exits).sum());
        assertEquals(s.vmmNanos(), s.reasons().stream().mapToLong(ExitStatistics.Reason::vmmNanos).sum());
        assertTrue(s.guestNanos() > 0, "time inside KVM_RUN was measured");
    }

    static ExitStatistics.Port port(ExitStatistics s, int port) {
        return s.ports().stream().filter(p -> p.port() == port).findFirst().orElseThrow(() -> new AssertionError("no exits at port " + port));
    }

    static void assertPoweredOff(Run run, int status) {
        assertEquals(new VmOutcome.PoweredOff(status), run.outcome(), run.console());
        assertEquals(1, port(run.stats(), 0xf4).writes(), "one write to the exit device");
    }

    @Test
    void helloRunsInUserMode() throws Exception {
        Run run = boot("hello");
        assertPoweredOff(run, 0);
        assertTrue(run.console().contains("vireo-guest: booted via vireo"), run.console());
        assertEquals("3", run.result().get("cpl"));
        assertCountersAddUp(run.stats());
        assertEquals("uart0", port(run.stats(), 0x3f8).device());
        assertTrue(port(run.stats(), 0x3f8).writes() >= run.console().length(), "one IO exit per byte written to THR");
    }

    @Test
    void primesBelowOneHundredThousandAre9592() throws Exception {
        Run run = boot("primes 100000");
        assertPoweredOff(run, 0);
        assertEquals("primes", run.result().workload());
        assertEquals("9592", run.result().get("count"));
        assertCountersAddUp(run.stats());
    }

    @Test
    void syscallsRoundTripWithoutFailures() throws Exception {
        Run run = boot("syscalls 2000");
        assertPoweredOff(run, 0);
        assertEquals("2000", run.result().get("n"));
        assertEquals("0", run.result().get("failures"));
        assertCountersAddUp(run.stats());
    }

    @Test
    void memtouchWritesEveryPageAndItsChecksumMatches() throws Exception {
        Run run = boot("memtouch 8 3");
        assertPoweredOff(run, 0);
        assertEquals("2048", run.result().get("pages"));
        assertEquals("0x" + Long.toHexString(memtouchChecksum(2048, 3)), run.result().get("checksum"));
        assertCountersAddUp(run.stats());
    }

    @Test
    void memtouchLargerThanMemoryFailsCleanly() throws Exception {
        Run run = boot("memtouch 64 1", 16L << 20);
        assertEquals(new VmOutcome.PoweredOff(1), run.outcome(), run.console());
        assertTrue(run.console().contains("memtouch: not enough guest memory"), run.console());
    }

    @Test
    void pagetableMapsTouchesAndUnmapsEveryPage() throws Exception {
        Run run = boot("pagetable 3000");
        assertPoweredOff(run, 0);
        assertEquals("3000", run.result().get("pages"));
        assertEquals(String.valueOf(3000L * 2999 / 2), run.result().get("checksum"));
        assertCountersAddUp(run.stats());
    }

    @Test
    void uartWorkloadCostsOneIoExitPerByte() throws Exception {
        Run run = boot("uart 5000");
        assertPoweredOff(run, 0);
        assertEquals("5000", run.result().get("bytes"));
        assertTrue(port(run.stats(), 0x3f8).writes() >= 5000);
        assertCountersAddUp(run.stats());
    }

    @Test
    void unclaimedPortsAndAddressesReadAllOnesAreCountedAndLoggedOnce() throws Exception {
        Run run = boot("probe");
        assertPoweredOff(run, 0);
        assertEquals("0xff", run.result().get("port"));
        assertEquals("0xffffffff", run.result().get("mmio"));
        ExitStatistics.Port com2 = port(run.stats(), 0x2f8);
        assertEquals(null, com2.device());
        assertEquals(1, com2.reads());
        List<ExitStatistics.MmioPage> unclaimedPages = run.stats().mmioPages().stream().filter(p -> p.device() == null).toList();
        assertEquals(1, unclaimedPages.size(), "the virtio windows the guest probed at boot are claimed");
        assertEquals(0xd000_0000L, unclaimedPages.getFirst().address());
        assertEquals(2, run.stats().unclaimedAccesses());
        assertEquals(2, run.log().size(), String.join("\n", run.log()));
        assertTrue(run.log().getFirst().contains("unclaimed I/O port 0x2f8"), run.log().getFirst());
        assertCountersAddUp(run.stats());
    }

    @Test
    void aUserPageFaultPrintsARegisterDumpAndPowersOffWithStatus3() throws Exception {
        Run run = boot("crash pagefault");
        assertPoweredOff(run, 3);
        assertTrue(run.console().contains("EXCEPTION #PF page fault (vector 14) in user mode"), run.console());
        assertTrue(run.console().contains("CR2=0000000000000010"), run.console());
    }

    @Test
    void aTripleFaultIsReportedWithItsRip() throws Exception {
        Run run = boot("crash triple");
        VmOutcome.TripleFault fault = assertInstanceOf(VmOutcome.TripleFault.class, run.outcome(), run.console());
        assertTrue(fault.rip() < 0, "the last RIP known is in the kernel half: " + Long.toHexString(fault.rip()));
        assertTrue(fault.describe().contains(String.format("0x%x", fault.rip())), fault.describe());
        assertEquals(1, run.stats().count("SHUTDOWN"));
        assertEquals(1, fault.exitStatus());
    }

    @Test
    void executingFromAnAddressNoMemoryBacksIsAnEmulationFailure() throws Exception {
        Run run = boot("crash mmio-exec");
        VmOutcome.EmulationFailure failure = assertInstanceOf(VmOutcome.EmulationFailure.class, run.outcome(), run.console());
        assertEquals(1, failure.suberror());
        assertTrue(failure.describe().contains("instruction bytes"), failure.describe());
    }

    @Test
    void anUnknownWorkloadIsAUsageErrorOfTheGuest() throws Exception {
        Run run = boot("bogus");
        assertPoweredOff(run, 2);
        assertTrue(run.console().contains("unknown workload"), run.console());
    }

    @Test
    void pauseKicksTheVcpuOutOfKvmRunAndResumeContinues() throws Exception {
        Text booted = new Text("cmdline");
        VmConfig config = VmConfig.builder().cmdline("syscalls 1000000000").console(booted).log(l -> { }).build();
        try (VirtualMachine vm = VirtualMachine.create(config)) {
            vm.start();
            booted.await();
            long start = System.nanoTime();
            assertEquals(VmState.PAUSED, vm.handle(new VmmAction.Pause()));
            long pauseNanos = System.nanoTime() - start;
            ExitStatistics first = vm.statistics();
            ExitStatistics second = vm.statistics();
            assertEquals(first, second, "nothing runs while paused");
            System.err.printf("pause took %d us; %d kicks (INTR exits) so far%n", pauseNanos / 1000, first.count("INTR"));
            assertTrue(first.count("INTR") >= 1, "the kick showed as an interrupted KVM_RUN");
            assertEquals(VmState.RUNNING, vm.handle(new VmmAction.Resume()));
            vm.handle(new VmmAction.Stop());
            assertEquals(new VmOutcome.Stopped(), vm.awaitOutcome());
            assertCountersAddUp(vm.statistics());
        }
    }

    @Test
    void echoReadsALineTypedIntoTheUart() throws Exception {
        Text prompt = new Text("type a line");
        java.io.PipedOutputStream keyboard = new java.io.PipedOutputStream();
        java.io.PipedInputStream input = new java.io.PipedInputStream(keyboard);
        VmConfig config = VmConfig.builder().cmdline("echo").console(prompt).consoleInput(input).log(l -> { }).build();
        try (VirtualMachine vm = VirtualMachine.create(config)) {
            vm.start();
            prompt.await();
            keyboard.write("hello vireo\n".getBytes());
            keyboard.flush();
            assertEquals(new VmOutcome.PoweredOff(0), vm.awaitOutcome());
            GuestResult result = vm.results().getFirst();
            assertEquals("11", result.get("bytes"));
            long hash = 0;
            for (byte b : "hello vireo".getBytes()) hash = hash * 31 + b;
            assertEquals(Long.toUnsignedString(hash), result.get("hash"));
            assertTrue(port(vm.statistics(), 0x3f8).reads() >= 11, "each byte read from RBR is an exit");
        }
    }

    /** The checksum memtouch computes, from the same values the guest writes. */
    static long memtouchChecksum(long pages, long passes) {
        long checksum = 0;
        for (long pass = 0; pass < passes; pass++) {
            for (long page = 0; page < pages; page++) {
                long x = (pass + 1) * 0x9e3779b97f4a7c15L ^ page * 0xbf58476d1ce4e5b9L;
                checksum = (checksum ^ (x ^ (x >>> 31))) * 0x100000001b3L;
            }
        }
        return checksum;
    }

    /**
     * A console that lets a test wait until some text has appeared. Held, it also keeps the
     * thread that wrote the text (the vCPU's, or one the vCPU waits on) until {@code release}
     * holds, so the guest runs no further than that text until the test has acted.
     */
    static final class Text extends OutputStream {
        private final String wanted;
        private final BooleanSupplier release;
        private final StringBuilder seen = new StringBuilder();
        private final CountDownLatch found = new CountDownLatch(1);

        Text(String wanted) {
            this(wanted, () -> true);
        }

        Text(String wanted, BooleanSupplier release) {
            this.wanted = wanted;
            this.release = release;
        }

        @Override
        public synchronized void write(int b) {
            seen.append((char) b);
            if (found.getCount() > 0 && seen.indexOf(wanted) >= 0) {
                found.countDown();
                hold();
            }
        }

        /** Bounded, so a test that never releases fails on its own assertion instead of hanging. */
        private void hold() {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!release.getAsBoolean() && System.nanoTime() < deadline) Thread.onSpinWait();
        }

        void await() throws InterruptedException {
            found.await();
        }
    }
}
