package dev.vireo.vmm;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Tests tagged {@code kvm} run wherever {@code /dev/kvm} can be opened, and skip elsewhere saying why. */
final class KvmAvailable {
    private KvmAvailable() {}

    static void assume() {
        Path kvm = Path.of("/dev/kvm");
        String reason = null;
        if (!Files.exists(kvm)) reason = "no /dev/kvm on this machine";
        else if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) reason = "/dev/kvm is not readable and writable by this user";
        if (reason != null) {
            System.err.println("skipping KVM tests: " + reason);
            Assumptions.assumeTrue(false, reason);
        }
    }
}
