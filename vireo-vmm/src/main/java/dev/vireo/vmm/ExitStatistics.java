package dev.vireo.vmm;

import java.util.List;

/**
 * The VM exits counted so far: the seed's "traps", made visible. Every exit is counted under
 * its KVM reason; I/O exits also under their port and MMIO exits under their 4 KiB page, so
 * the port counts add up to the IO reason's and the page counts to MMIO's. Times are
 * nanoseconds: {@code vmmNanos} spent in Vireo handling exits, {@code guestNanos} inside
 * KVM_RUN (guest code plus KVM's in-kernel handling).
 */
public record ExitStatistics(long exits, long vmmNanos, long guestNanos, long unclaimedAccesses,
                             List<Reason> reasons, List<Port> ports, List<MmioPage> mmioPages) {

    /** Exits with one KVM exit reason (the header's name, such as {@code "IO"}). */
    public record Reason(String name, long count, long vmmNanos) {}

    /** I/O exits at one port; {@code device} is null when no device claims it. */
    public record Port(int port, String device, long reads, long writes, long vmmNanos) {
        public long exits() {
            return reads + writes;
        }
    }

    /** MMIO exits in one page; {@code device} is null when no device claims it. */
    public record MmioPage(long address, String device, long reads, long writes, long vmmNanos) {
        public long exits() {
            return reads + writes;
        }
    }

    public ExitStatistics {
        reasons = List.copyOf(reasons);
        ports = List.copyOf(ports);
        mmioPages = List.copyOf(mmioPages);
    }

    /** The count for one reason name, 0 when it never occurred. */
    public long count(String reason) {
        return reasons.stream().filter(r -> r.name().equals(reason)).mapToLong(Reason::count).sum();
    }
}
