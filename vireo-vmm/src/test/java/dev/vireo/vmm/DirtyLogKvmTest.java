package dev.vireo.vmm;

import dev.vireo.vmm.memory.DirtyLog;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.BitSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KVM's dirty log over a guest that rewrites its memory: pages show up while it runs, none while it is paused. */
@Tag("kvm")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DirtyLogKvmTest {

    @BeforeAll
    static void requireKvm() {
        KvmAvailable.assume();
    }

    /** Collects until at least {@code pages} pages were reported dirty. */
    static BitSet awaitDirty(DirtyLog log, int pages) throws InterruptedException {
        BitSet dirty = new BitSet();
        while (dirty.cardinality() < pages) {
            log.collect(dirty);
            Thread.sleep(5);
        }
        return dirty;
    }

    @Test
    void pagesTheGuestWritesAreLoggedOnceAndNothingWhilePaused() throws Exception {
        GuestWorkloadsTest.Text console = new GuestWorkloadsTest.Text("vireo-guest: booted");
        try (VirtualMachine vm = VirtualMachine.create(VmConfig.builder().cmdline("memtouch 4 100000 50")
                .memory(32L << 20).console(console).build())) {
            vm.start();
            console.await();
            try (DirtyLog log = vm.machine().startDirtyLog()) {
                BitSet dirty = awaitDirty(log, 64);
                assertTrue(dirty.length() <= (32L << 20) / 4096, "indices are RAM pages");
                vm.handle(new VmmAction.Pause());
                log.collect(new BitSet()); // what was written before the pause
                BitSet whilePaused = new BitSet();
                log.collect(whilePaused);
                assertEquals(0, whilePaused.cardinality(), "a paused guest writes nothing, and collected pages were reset"
                        + (log.manualProtect() ? " (KVM_CLEAR_DIRTY_LOG)" : ""));
                vm.handle(new VmmAction.Resume());
                awaitDirty(log, 16);
            }
            vm.handle(new VmmAction.Stop());
            assertEquals(new VmOutcome.Stopped(), vm.awaitOutcome());
        }
    }
}
