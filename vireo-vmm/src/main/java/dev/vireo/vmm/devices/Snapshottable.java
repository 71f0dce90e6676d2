package dev.vireo.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * A device whose guest-visible state goes into snapshots and migrations (Cloud Hypervisor's
 * {@code Snapshottable}): every device a VM has implements it, and the machine state files each
 * device's bytes under its {@link #name()}, in a section of its own with its own checksum.
 * {@link #saveState} is called only while every vCPU is paused, so no access is in flight;
 * {@link #restoreState} on a device just built the same way, before any vCPU runs. A device
 * writes what it needs to continue exactly where it was (registers, FIFOs, queue indices), not
 * what its construction already gives it (its backend, its bus address).
 */
public interface Snapshottable {
    /** The name the state is filed under: unique in the VM and the same in the restored one, such as {@code "uart0"}. */
    String name();

    void saveState(DataOutput out) throws IOException;

    /**
     * Reads back what {@link #saveState} wrote. Values the device could never have held are an
     * {@link IOException} naming the field, so that a damaged state file is refused, not run.
     */
    void restoreState(DataInput in) throws IOException;
}
