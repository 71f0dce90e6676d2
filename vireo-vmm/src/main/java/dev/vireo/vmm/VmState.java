package dev.vireo.vmm;

/** Where a VM is in its life. */
public enum VmState {
    CREATED, RUNNING, PAUSED, STOPPED
}
