package dev.vireo.vmm.devices.legacy;

import dev.vireo.vmm.ExitSample;
import dev.vireo.vmm.devices.BusDevice;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Port 0xf0, a hypercall-like window on the exit counters: a 32-bit read returns the low 32 bits
 * of the exits the VMM has handled so far (the read itself not yet counted), so a guest can
 * measure what one phase of its work cost in exits without trusting its own accounting. Two
 * reads around a phase differ by the phase's exits plus one (the first read). Each read also
 * records an {@link ExitSample} with KVM's own count of all exits, for the VMM's report.
 * Writes are ignored.
 */
public final class ExitCountPort implements BusDevice {
    public static final int PORT = 0xf0;
    public static final int LENGTH = 4;

    private final LongSupplier vmmExits, kvmExits;
    private final List<ExitSample> samples = new ArrayList<>();

    public ExitCountPort(LongSupplier vmmExits, LongSupplier kvmExits) {
        this.vmmExits = vmmExits;
        this.kvmExits = kvmExits;
    }

    @Override
    public String name() {
        return "exit-count";
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset != 0 || size != 4) return -1L;
        long vmm = vmmExits.getAsLong();
        samples.add(new ExitSample(vmm, kvmExits.getAsLong()));
        return vmm & 0xffff_ffffL;
    }

    @Override
    public void write(long offset, int size, long value) {}

    public synchronized List<ExitSample> samples() {
        return List.copyOf(samples);
    }
}
