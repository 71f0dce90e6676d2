package dev.vireo.vmm;

import org.junit.jupiter.api.Assumptions;

/** Tests tagged {@code kvm} run wherever KVM can run Vireo's guest, and skip elsewhere saying why. */
final class KvmAvailable {
    private KvmAvailable() {}

    static void assume() {
        KvmHost.unusableReason().ifPresent(reason -> {
            System.err.println("skipping KVM tests: " + reason);
            Assumptions.assumeTrue(false, reason);
        });
    }
}
