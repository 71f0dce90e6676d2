package dev.vireo.vmm.migration.stream;

import java.util.List;

/**
 * Everything that follows the {@link Header}, in both directions. Source to destination: pages,
 * round ends, the machine state, the guest configuration, completion. Destination to source:
 * acceptance or refusal of the header, page requests (post-copy), the confirmation that the VM
 * runs. Either side: an abort with its reason.
 */
public sealed interface Chunk {
    /** The destination can take this VM; the source may start. */
    record Accept() implements Chunk {}

    /** The destination cannot take this VM, and why (version, memory, features). */
    record Refuse(String reason) implements Chunk {}

    /** Pages of guest memory. */
    record Pages(List<PageEntry> entries) implements Chunk {
        public Pages {
            entries = List.copyOf(entries);
        }
    }

    /** The source finished round {@code round} (1-based), which sent {@code pages} pages. */
    record RoundEnd(int round, long pages) implements Chunk {}

    /** The vCPU and device state, serialized by the machine's snapshot format. */
    record MachineState(byte[] bytes) implements Chunk {}

    /** A stopped VM's configuration: the kernel it boots, its command line, its memory size. */
    record GuestConfig(String kernelName, byte[] kernel, String cmdline) implements Chunk {}

    /** The source sent everything the destination needs to run the VM. */
    record Complete() implements Chunk {}

    /** Post-copy: the destination's guest touched a page it does not have yet. */
    record PageRequest(long index) implements Chunk {}

    /**
     * The destination runs the VM; the source may now let its copy go. The destination says how
     * long setting the machine state and starting the vCPUs took it (zero in a cold migration),
     * for the source's account of the downtime.
     */
    record Running(long restoreNanos, long startNanos) implements Chunk {}

    /** The sender gives up, and says why. */
    record Abort(String reason) implements Chunk {}
}
