package dev.vireo.vmm.devices.virtio;

import dev.vireo.vmm.memory.GuestMemory;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The device-type half of a virtio device (virtio 1.x section 5), behind the MMIO transport:
 * its ID, feature bits, queues, configuration space and the handling of one request.
 */
public sealed interface VirtioDevice extends AutoCloseable permits VirtioConsole, VirtioBlock, VirtioRng {
    int ID_BLOCK = 2, ID_CONSOLE = 3, ID_RNG = 4;

    String name();

    int deviceId();

    /** Device-specific feature bits (the transport adds VERSION_1 and INDIRECT_DESC). */
    default long features() {
        return 0;
    }

    default int queueCount() {
        return 1;
    }

    /** Whether the device takes requests from this queue now (a console's input queue waits for input). */
    default boolean serves(int queue) {
        return true;
    }

    /** Bytes of configuration space, read at transport offset 0x100. */
    default byte[] config() {
        return new byte[0];
    }

    /**
     * Carries out one request; returns how many bytes it wrote into the chain's writable
     * buffers. A request the device cannot carry out is answered in its status, not thrown.
     */
    int handle(int queue, Chain chain, GuestMemory memory);

    /** Device-type state for a snapshot, after the transport's; none by default. */
    default void saveState(DataOutput out) throws IOException {}

    /** Reads what {@link #saveState} wrote; a backend that does not fit it is an {@link IOException}. */
    default void restoreState(DataInput in) throws IOException {}

    /** Releases the backend (a disk's file); nothing by default. */
    @Override
    default void close() {}
}
