package dev.vireo.vmm;

import java.nio.file.Path;

/**
 * A control request to a running VM, handled by {@link VirtualMachine#handle}: the one type that
 * every control surface (CLI, API socket) turns its requests into.
 */
public sealed interface VmmAction {
    /** Kick every vCPU out of KVM_RUN and park it. */
    record Pause() implements VmmAction {}

    /** Let parked vCPUs run again. */
    record Resume() implements VmmAction {}

    /**
     * Write a snapshot of the paused VM to {@code dir}, which must not exist yet; the VM stays
     * paused. A VM that is not paused refuses with an {@link IllegalStateException}.
     */
    record CreateSnapshot(Path dir) implements VmmAction {}

    /** Stop the VM; its outcome becomes {@link VmOutcome.Stopped} unless it had already ended. */
    record Stop() implements VmmAction {}
}
