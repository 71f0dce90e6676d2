package dev.vireo.vmm.devices;

import java.util.Arrays;

/**
 * Address ranges and the devices that claim them, for one address space (port I/O or MMIO).
 * Lookup is a binary search over a sorted array that is replaced whole when a device joins,
 * so vCPU threads read it without locks.
 */
public final class Bus {
    /** A claimed range {@code [base, base + length)}. */
    public record Range(long base, long length, BusDevice device) {
        boolean contains(long address) {
            return Long.compareUnsigned(address - base, length) < 0;
        }
    }

    private final String space;
    private volatile Range[] ranges = new Range[0];

    public Bus(String space) {
        this.space = space;
    }

    /** Adds a device; its range must not overlap one already claimed. */
    public synchronized void insert(long base, long length, BusDevice device) {
        if (length <= 0) throw new IllegalArgumentException("empty " + space + " range for " + device.name());
        for (Range r : ranges) {
            if (base < r.base() + r.length() && r.base() < base + length) {
                throw new IllegalArgumentException(String.format("%s range 0x%x+0x%x of %s overlaps %s", space, base,
                        length, device.name(), r.device().name()));
            }
        }
        Range[] next = Arrays.copyOf(ranges, ranges.length + 1);
        next[ranges.length] = new Range(base, length, device);
        Arrays.sort(next, (a, b) -> Long.compareUnsigned(a.base(), b.base()));
        ranges = next;
    }

    /** The range holding {@code address}, or null when no device claims it. */
    public Range find(long address) {
        Range[] rs = ranges;
        int lo = 0, hi = rs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Range r = rs[mid];
            if (Long.compareUnsigned(address, r.base()) < 0) hi = mid - 1;
            else if (r.contains(address)) return r;
            else lo = mid + 1;
        }
        return null;
    }
}
