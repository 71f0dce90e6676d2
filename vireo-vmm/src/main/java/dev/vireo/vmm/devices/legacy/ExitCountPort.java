package dev.vireo.vmm.devices.legacy;

import dev.vireo.vmm.devices.BusDevice;

import java.util.function.LongSupplier;

/**
 * Port 0xf0, a hypercall-like window on the VMM's own exit counters: a 32-bit read returns the
 * low 32 bits of the exits the VMM has handled so far (the read itself not yet counted), so a
 * guest can measure what one phase of its work cost in exits without trusting its own
 * accounting. Two reads around a phase differ by the phase's exits plus one (the first read).
 * Writes are ignored.
 */
public final class ExitCountPort implements BusDevice {
    public static final int PORT = 0xf0;
    public static final int LENGTH = 4;

    private final LongSupplier exits;

    public ExitCountPort(LongSupplier exits) {
        this.exits = exits;
    }

    @Override
    public String name() {
        return "exit-count";
    }

    @Override
    public long read(long offset, int size) {
        return offset == 0 && size == 4 ? exits.getAsLong() & 0xffff_ffffL : -1L;
    }

    @Override
    public void write(long offset, int size, long value) {}
}
