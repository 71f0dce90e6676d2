package dev.vireo.vmm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether this machine's KVM can run Vireo's guests. A KVM-PVM host (module {@code kvm_pvm}) has a
 * {@code /dev/kvm} that speaks the whole API, but runs guest kernels at hardware CPL 3 and delivers
 * events only to PVM-enlightened kernels, ignoring the IDT; a guest that takes exceptions and system
 * calls through its own IDT, as Vireo's does, faults on its first system call there.
 */
public final class KvmHost {
    public static final String DEVICE = "/dev/kvm";
    private static final Path PVM_MODULE = Path.of("/sys/module/kvm_pvm");

    private KvmHost() {}

    /** Why KVM cannot run Vireo's guests here, or empty where it can. */
    public static Optional<String> unusableReason() {
        Path device = Path.of(DEVICE);
        if (!Files.exists(device)) return Optional.of(DEVICE + " does not exist: this machine offers no KVM"
                + " (enable VT-x/AMD-V and load kvm_intel or kvm_amd, or run on a host that has /dev/kvm)");
        if (!Files.isReadable(device) || !Files.isWritable(device)) return Optional.of(DEVICE
                + ": permission denied (run as root or add your user to the group that owns " + DEVICE + ", usually kvm)");
        if (!Files.exists(PVM_MODULE)) return Optional.empty();
        return Optional.of(DEVICE + " here is KVM-PVM (kvm_pvm), which runs only PVM-enlightened guest kernels:"
                + " Vireo's guest needs KVM on VT-x or AMD-V (run it in scripts/kvm-testbed)");
    }
}
