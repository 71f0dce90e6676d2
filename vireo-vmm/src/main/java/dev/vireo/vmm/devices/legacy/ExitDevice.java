package dev.vireo.vmm.devices.legacy;

import dev.vireo.vmm.devices.BusDevice;
import dev.vireo.vmm.devices.Snapshottable;

import java.io.DataInput;
import java.io.DataOutput;

import java.util.function.IntConsumer;

/**
 * Port 0xf4, where a guest writes its exit status to power the machine off: the port QEMU's
 * {@code isa-debug-exit} uses, so one guest binary stops under both. QEMU exits with
 * {@code (status << 1) | 1}; Vireo exits with the status itself (its low 8 bits, as a process
 * exit status holds). Reads return all ones, like an absent device. It holds no state: its
 * snapshot section is empty, and says the restored VM must have the device too.
 */
public final class ExitDevice implements BusDevice, Snapshottable {
    public static final int PORT = 0xf4;
    public static final int LENGTH = 4;

    private final IntConsumer powerOff;

    public ExitDevice(IntConsumer powerOff) {
        this.powerOff = powerOff;
    }

    @Override
    public String name() {
        return "exit";
    }

    @Override
    public long read(long offset, int size) {
        return -1L;
    }

    @Override
    public void write(long offset, int size, long value) {
        powerOff.accept((int) (value & 0xff));
    }

    @Override
    public void saveState(DataOutput out) {
        // nothing: a write powers the machine off at once, so no state outlives an access
    }

    @Override
    public void restoreState(DataInput in) {
        // nothing to restore, see saveState
    }
}
