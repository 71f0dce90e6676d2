package dev.vireo.vmm.migration.stream;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Everything that follows the {@link Header}, in both directions. Source to destination: pages,
 * round ends, the machine state, the guest configuration and disk image, completion. Destination to source:
 * acceptance or refusal of the header, rounds landed, page requests (post-copy), the
 * confirmation that the VM runs. Either side: an abort with its reason.
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

    /**
     * The destination has every page of round {@code round} in place: the source's measure of a
     * round ends here, so it never pauses with pages still queued on the way.
     */
    record RoundLanded(int round) implements Chunk {}

    /** The vCPU and device state, serialized by the machine's snapshot format. */
    record MachineState(byte[] bytes) implements Chunk {}

    /**
     * A stopped VM's configuration: the kernel it boots, its command line, and the size of its
     * disk image, which follows as {@link DiskData} chunks and a {@link DiskEnd} (-1: no image,
     * the VM's scratch disk goes with it).
     */
    record GuestConfig(String kernelName, byte[] kernel, String cmdline, long diskBytes) implements Chunk {}

    /** The next bytes of a cold migration's disk image, in order. */
    record DiskData(byte[] bytes) implements Chunk {}

    /** The disk image is complete; its SHA-256, which the destination checks before it keeps the file. */
    record DiskEnd(byte[] sha256) implements Chunk {
        /** The digest both sides compute over the image. */
        public static MessageDigest digest() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
    }

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
