package dev.vireo.vmm.migration;

import dev.vireo.vmm.memory.GuestMemory;

import java.nio.file.Path;

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

    /** Builds the VMs; a failure here is sent to the source as a refusal or an abort. */
    interface Factory {
        /** The VM for an accepted header of a live or non-live migration, to be restored. */
        DestinationVm create(int vcpus, long memoryBytes);

        /** A cold migration's VM: booted afresh from the kernel, command line and disk image the source sent. */
        DestinationVm boot(int vcpus, long memoryBytes, SourceVm.BootConfig config);

        /** Where a cold migration's disk image is kept here; null: this destination takes no disk image. */
        Path diskFile();
    }
}
