package dev.vireo.vmm.vcpu;

import dev.vireo.vmm.kvm.KvmApi;

/**
 * One vCPU's exit accounting: exits and VMM time per exit reason, per I/O port (arrays indexed
 * by port) and per MMIO page, plus the time spent inside KVM_RUN. Only the vCPU's own thread
 * writes; other threads read a consistent picture once the vCPU is paused or stopped.
 */
public final class ExitCounters {
    final long[] reasonCount = new long[KvmApi.EXIT_REASON_SLOTS];
    final long[] reasonNanos = new long[KvmApi.EXIT_REASON_SLOTS];
    final long[] portReads = new long[65536], portWrites = new long[65536], portNanos = new long[65536];
    final PageCounters mmio = new PageCounters();
    long guestNanos;
    long unclaimed;
    private long exits;

    void exit(int reason, long nanos) {
        int slot = Math.min(Math.max(reason, 0), KvmApi.EXIT_REASON_SLOTS - 1);
        reasonCount[slot]++;
        exits++;
        reasonNanos[slot] += nanos;
    }

    void io(int port, boolean out, long nanos) {
        if (out) portWrites[port]++;
        else portReads[port]++;
        portNanos[port] += nanos;
    }

    void mmio(long address, boolean write, long nanos) {
        mmio.add(address >>> 12, write, nanos);
    }

    /** Exits handled so far, of every reason; read from the vCPU's own thread (the exit-count port). */
    public long exits() {
        return exits;
    }

    /** Adds this vCPU's counts into {@code total}. */
    void addTo(ExitCounters total) {
        for (int i = 0; i < reasonCount.length; i++) {
            total.reasonCount[i] += reasonCount[i];
            total.reasonNanos[i] += reasonNanos[i];
        }
        for (int p = 0; p < 65536; p++) {
            total.portReads[p] += portReads[p];
            total.portWrites[p] += portWrites[p];
            total.portNanos[p] += portNanos[p];
        }
        mmio.forEach(total.mmio::merge);
        total.guestNanos += guestNanos;
        total.unclaimed += unclaimed;
    }
}
