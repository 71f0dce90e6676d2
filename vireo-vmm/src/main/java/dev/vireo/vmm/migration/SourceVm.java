package dev.vireo.vmm.migration;

import dev.vireo.vmm.memory.GuestMemory;

import java.nio.file.Path;
import java.util.BitSet;

/** What the source side needs from the VM it sends. */
public interface SourceVm {
    GuestMemory memory();

    int vcpus();

    /** Starts logging the pages the guest writes. */
    DirtyPages startDirtyLog();

    /** Stops the vCPUs; memory and state are still from here on. */
    void pause();

    void resume();

    /**
     * Runs the state capture once where it costs no downtime (on a scratch machine), so that
     * {@link #saveState} inside the downtime finds its code loaded.
     */
    void warmUp();

    /** The vCPU and device state of the paused VM, serialized. */
    byte[] saveState();

    /** What the VM boots from: a cold migration moves this instead of memory and state. */
    BootConfig bootConfig();

    /**
     * A stopped VM's configuration: its kernel, command line and disk image (null: a scratch
     * disk); memory size and vCPUs are in the header.
     */
    record BootConfig(String kernelName, byte[] kernel, String cmdline, Path disk) {}

    /** The pages the guest wrote; {@link #collect} adds those since the previous call and resets them. */
    interface DirtyPages extends AutoCloseable {
        void collect(BitSet dirty);

        @Override
        void close();
    }
}
