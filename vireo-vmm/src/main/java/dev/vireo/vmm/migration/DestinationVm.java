package dev.vireo.vmm.migration;

import dev.vireo.vmm.memory.GuestMemory;

/**
 * What the destination side needs: a VM built for the incoming header, whose memory nothing
 * has touched yet (post-copy registers it with userfaultfd before the first page lands).
 */
public interface DestinationVm extends AutoCloseable {
    GuestMemory memory();

    /** Loads the vCPU and device state the source saved. */
    void restore(byte[] state);

    /** Runs the vCPUs. */
    void start();

    /** Releases the VM and its memory: the migration failed before it ran. */
    @Override
    void close();

    /** Builds the VM for an accepted header; a failure here is sent to the source as an abort. */
    interface Factory {
        DestinationVm create(int vcpus, long memoryBytes);
    }
}
