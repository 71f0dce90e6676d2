package dev.vireo.vmm;

import dev.vireo.vmm.snapshot.SnapshotDirectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A VM paused midway, snapshotted, and restored continues to the same result as one never stopped. */
@Tag("kvm")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SnapshotRestoreTest {
    private static final String WORKLOAD = "primes 1000000000";
    private static final long MEMORY = 64L << 20;

    @BeforeAll
    static void requireKvm() {
        KvmAvailable.assume();
    }

    /** A RESULT line without its timing fields, which differ from run to run. */
    static Map<String, String> withoutTiming(GuestResult result) {
        Map<String, String> fields = new TreeMap<>(result.fields());
        fields.remove("cycles");
        fields.remove("us");
        return fields;
    }

    @Test
    void aRestoredGuestContinuesToTheSameResult(@TempDir Path tmp) throws Exception {
        GuestWorkloadsTest.Run straight = GuestWorkloadsTest.boot(WORKLOAD, MEMORY);
        assertEquals(new VmOutcome.PoweredOff(0), straight.outcome(), straight.console());

        Path snapshot = tmp.resolve("snap");
        GuestWorkloadsTest.Text console = new GuestWorkloadsTest.Text("cmdline");
        VmConfig config = VmConfig.builder().cmdline(WORKLOAD).memory(MEMORY).console(console).log(l -> { }).build();
        try (VirtualMachine vm = VirtualMachine.create(config)) {
            IllegalStateException running = assertThrows(IllegalStateException.class,
                    () -> vm.handle(new VmmAction.CreateSnapshot(snapshot)));
            assertEquals("the VM is created, not paused: pause it first", running.getMessage());
            vm.start();
            console.await();
            assertEquals(VmState.PAUSED, vm.handle(new VmmAction.Pause()));
            assertTrue(vm.results().isEmpty(), "paused before the workload finished");
            assertEquals(VmState.PAUSED, vm.handle(new VmmAction.CreateSnapshot(snapshot)));
            vm.handle(new VmmAction.Stop());
            assertEquals(new VmOutcome.Stopped(), vm.awaitOutcome());
        }
        Path memoryFile = snapshot.resolve(SnapshotDirectory.MEMORY);
        assertEquals(MEMORY, Files.size(memoryFile), "the memory file spans the guest's RAM");
        long data = SnapshotDirectory.load(snapshot).memoryDataBytes();
        assertTrue(data > 0 && data < MEMORY / 2, "untouched pages are holes; data: " + data + " bytes");

        ByteArrayOutputStream restoredConsole = new ByteArrayOutputStream();
        try (VirtualMachine vm = VirtualMachine.restore(snapshot, restoredConsole, null, l -> { })) {
            vm.start();
            assertEquals(new VmOutcome.PoweredOff(0), vm.awaitOutcome(), restoredConsole.toString());
            List<GuestResult> results = vm.results();
            assertEquals(1, results.size(), restoredConsole.toString());
            assertEquals(withoutTiming(straight.result()), withoutTiming(results.getFirst()));
            assertFalse(restoredConsole.toString().contains("cmdline"), "the restored guest does not boot again");
        }
    }
}
