package dev.vireo.vmm;

/**
 * A control request to a running VM, handled by {@link VirtualMachine#handle}: the one type that
 * every control surface (CLI, API socket) turns its requests into.
 */
public sealed interface VmmAction {
    /** Kick every vCPU out of KVM_RUN and park it. */
    record Pause() implements VmmAction {}

    /** Let parked vCPUs run again. */
    record Resume() implements VmmAction {}

    /** Stop the VM; its outcome becomes {@link VmOutcome.Stopped} unless it had already ended. */
    record Stop() implements VmmAction {}
}
