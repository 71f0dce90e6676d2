package dev.vireo.vmm;

import dev.vireo.vmm.migration.stream.Chunk;
import dev.vireo.vmm.migration.stream.ChunkCodec;
import dev.vireo.vmm.migration.stream.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guest's memtouch, writing pages at a set rate, migrated while it runs between two VMs
 * over a localhost connection: its checksum must be the one an unmigrated run computes.
 */
@Tag("kvm")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MigrationKvmTest {
    static final long MEMORY = 64L << 20;
    static final int MIB = 8, PASSES = 150, RATE = 20;
    static final String WORKLOAD = "memtouch " + MIB + " " + PASSES + " " + RATE;

    @BeforeAll
    static void requireKvm() {
        KvmAvailable.assume();
    }

    /** A source VM running memtouch, returned once the guest has booted. */
    static VirtualMachine runningSource() throws InterruptedException {
        GuestWorkloadsTest.Text console = new GuestWorkloadsTest.Text("vireo-guest: booted");
        VirtualMachine vm = VirtualMachine.create(VmConfig.builder().cmdline(WORKLOAD).memory(MEMORY).console(console).build());
        vm.start();
        console.await();
        return vm;
    }

    static void assertMemtouchChecksum(VirtualMachine vm) throws InterruptedException {
        assertEquals(new VmOutcome.PoweredOff(0), vm.awaitOutcome());
        GuestResult result = vm.results().getFirst();
        assertEquals("0x" + Long.toHexString(GuestWorkloadsTest.memtouchChecksum(MIB * 256L, PASSES)), result.get("checksum"));
    }

    @ParameterizedTest
    @EnumSource(value = MigrationMode.class, names = {"NONLIVE", "PRECOPY", "POSTCOPY"})
    void memtouchMigratedWhileItRunsComputesTheUnmigratedChecksum(MigrationMode mode) throws Exception {
        // Live migrations go to a destination prepared for the VM's size, as vm receive --memory makes one.
        MigrationReport report = migrateMemtouch(MigrationOptions.of(mode), mode == MigrationMode.NONLIVE ? 0 : MEMORY);
        assertTrue(report.wireBytes() > 0 && report.downtimeNanos() > 0, report.table());
        assertTrue(report.downtimePhases().stream().anyMatch(p -> p.name().equals("destination restore")), report.table());
        if (mode == MigrationMode.PRECOPY) assertTrue(report.rounds().size() >= 2, report.table());
        if (mode == MigrationMode.POSTCOPY) assertEquals(MEMORY / 4096, report.pagesSent(), report.table());
    }

    /**
     * Post-copy whose background push is held to 512 KiB/s: the guest's 8 MiB and more of pages
     * with content take it over 16 s, while the guest rewrites all of memtouch's every 100 ms, so
     * it faults on pages not yet sent, and those come on demand (with the pages around them).
     */
    @Test
    void postcopyWithItsPushHeldBackServesTheGuestsFaultsOnDemand() throws Exception {
        MigrationReport report = migrateMemtouch(MigrationOptions.of(MigrationMode.POSTCOPY).withPostcopyBandwidth(512 << 10), 0);
        assertTrue(report.postcopy().demandPages() > 0, report.table());
        assertTrue(report.postcopy().prepagedPages() > 0, report.table());
        assertEquals(MEMORY / 4096, report.pagesSent(), report.table());
    }

    /**
     * Migrates a running memtouch to a second VM here, built before the source connects if
     * {@code preparedMemory} is not 0; asserts the source let it go and the destination's checksum.
     */
    private static MigrationReport migrateMemtouch(MigrationOptions options, long preparedMemory) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             VirtualMachine source = runningSource()) {
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            CompletableFuture<VirtualMachine> received = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    received.complete(Migration.receive(server, console, InputStream.nullInputStream(), null, preparedMemory, line -> { },
                            lost -> received.completeExceptionally(new AssertionError(lost)), MigrationProgress.NONE));
                } catch (Exception e) {
                    received.completeExceptionally(e);
                }
            });
            MigrationReport report = Migration.send(source, "127.0.0.1", server.getLocalPort(), options, MigrationProgress.NONE);
            System.out.print(report.table());
            assertEquals(new VmOutcome.Migrated("127.0.0.1:" + server.getLocalPort()), source.awaitOutcome(),
                    "the source let its VM go");
            try (VirtualMachine destination = received.get(5, TimeUnit.MINUTES)) {
                assertMemtouchChecksum(destination);
            }
            return report;
        }
    }

    @Test
    void aDestinationKilledMidPrecopyLeavesTheSourceRunningToTheEnd() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             VirtualMachine source = runningSource()) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().readNBytes(Header.SIZE);
                    s.getOutputStream().write(ChunkCodec.encode(new Chunk.Accept()));
                    s.getInputStream().readNBytes(1 << 14); // some pages, then the "process" dies
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            MigrationException e = assertThrows(MigrationException.class, () -> Migration.send(source, "127.0.0.1",
                    server.getLocalPort(), MigrationOptions.of(MigrationMode.PRECOPY), MigrationProgress.NONE));
            assertEquals(MigrationException.Outcome.SOURCE_RUNNING, e.outcome());
            assertEquals(VmState.RUNNING, source.state(), e.getMessage());
            assertTrue(e.getMessage().endsWith("the VM keeps running here"), e.getMessage());
            assertMemtouchChecksum(source);
        }
    }

    @Test
    void aDestinationPreparedForAnotherSizeRefusesBeforeTheSourcePauses() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             VirtualMachine source = runningSource()) {
            CompletableFuture<Exception> refused = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    Migration.receive(server, OutputStream.nullOutputStream(), InputStream.nullInputStream(), null, MEMORY / 2,
                            line -> { }, lost -> { }, MigrationProgress.NONE);
                    refused.complete(null);
                } catch (Exception e) {
                    refused.complete(e);
                }
            });
            MigrationException e = assertThrows(MigrationException.class, () -> Migration.send(source, "127.0.0.1",
                    server.getLocalPort(), MigrationOptions.of(MigrationMode.PRECOPY), MigrationProgress.NONE));
            assertEquals(MigrationException.Outcome.REFUSED, e.outcome());
            assertTrue(e.getMessage().contains("it was prepared for a VM of 32 MiB and 1 vCPU (vm receive --memory), "
                    + "not 64 MiB and 1 vCPU; nothing was paused"), e.getMessage());
            assertEquals(VmState.RUNNING, source.state(), e.getMessage());
            assertTrue(refused.get(1, TimeUnit.MINUTES) instanceof MigrationException m
                    && m.outcome() == MigrationException.Outcome.REFUSED, "the destination refused too");
        }
    }
}
