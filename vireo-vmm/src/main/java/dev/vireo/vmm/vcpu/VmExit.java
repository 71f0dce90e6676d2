package dev.vireo.vmm.vcpu;

import dev.vireo.vmm.kvm.KvmApi;
import dev.vireo.vmm.kvm.KvmRun;

/**
 * Why KVM_RUN returned, decoded from the {@code kvm_run} page: one record per exit reason the
 * run loop treats differently, {@link Unhandled} for the rest. The switch over this type in
 * {@link VcpuRunner} is checked by the compiler to handle every case.
 */
public sealed interface VmExit {
    /** Port I/O: {@code count} accesses of {@code size} bytes, data at {@code dataOffset} in kvm_run. */
    record Io(int port, int size, boolean out, int count, long dataOffset) implements VmExit {}

    /** A guest-physical access no memory slot backs; data at {@code dataOffset} in kvm_run. */
    record Mmio(long address, int length, boolean write, long dataOffset) implements VmExit {}

    /** HLT with no in-kernel interrupt controller to wait for an interrupt. */
    record Halt() implements VmExit {}

    /** The CPU shut down: a triple fault. */
    record Shutdown() implements VmExit {}

    /** VM entry failed; {@code hardwareReason} is VMX's or SVM's own code. */
    record FailEntry(long hardwareReason, int cpu) implements VmExit {}

    /** KVM could not go on; for emulation failures, {@code instruction} holds the bytes if KVM gave them. */
    record InternalError(int suberror, long[] data, byte[] instruction) implements VmExit {}

    /** The guest asked for shutdown, reset or reported a crash through KVM. */
    record SystemEvent(int type) implements VmExit {}

    /** KVM_RUN was interrupted by a signal or {@code immediate_exit}: a kick from the VMM. */
    record Interrupted() implements VmExit {}

    /** The guest can take an interrupt now (only when the VMM asked to be told). */
    record InterruptWindowOpen() implements VmExit {}

    /** Any other reason; the run loop stops the VM and names it. */
    record Unhandled(int reason) implements VmExit {}

    static VmExit decode(KvmRun run) {
        int reason = run.exitReason();
        return switch (reason) {
            case KvmApi.EXIT_IO -> new Io(run.ioPort(), run.ioSize(), run.ioIsOut(), run.ioCount(), run.ioDataOffset());
            case KvmApi.EXIT_MMIO -> new Mmio(run.mmioAddress(), run.mmioLength(), run.mmioIsWrite(), run.mmioDataOffset());
            case KvmApi.EXIT_HLT -> new Halt();
            case KvmApi.EXIT_SHUTDOWN -> new Shutdown();
            case KvmApi.EXIT_FAIL_ENTRY -> new FailEntry(run.failEntryReason(), run.failEntryCpu());
            case KvmApi.EXIT_INTERNAL_ERROR -> new InternalError(run.internalSuberror(), run.internalData(),
                    run.internalSuberror() == KvmApi.INTERNAL_ERROR_EMULATION ? run.emulationInstructionBytes() : new byte[0]);
            case KvmApi.EXIT_SYSTEM_EVENT -> new SystemEvent(run.systemEventType());
            case KvmApi.EXIT_INTR -> new Interrupted();
            case KvmApi.EXIT_IRQ_WINDOW_OPEN -> new InterruptWindowOpen();
            default -> new Unhandled(reason);
        };
    }
}
