package dev.vireo.vmm.migration;

import dev.vireo.vmm.machine.Machine;
import dev.vireo.vmm.machine.MachineBuilder;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.snapshot.StateFile;

/**
 * The destination's VM: fresh anonymous memory as soon as the header is accepted (untouched, so
 * post-copy can register it with userfaultfd), the {@link Machine} built over it from the
 * machine state when that arrives.
 */
public final class MachineDestination implements DestinationVm {
    private final GuestMemory memory;
    private final MachineBuilder.Host host;
    private Machine machine;

    public MachineDestination(long memoryBytes, MachineBuilder.Host host) {
        this.memory = GuestMemory.anonymous(memoryBytes);
        this.host = host;
    }

    /** A machine booted afresh (cold migration): nothing to restore. */
    public MachineDestination(Machine booted) {
        this.memory = booted.memory();
        this.host = null;
        this.machine = booted;
    }

    @Override
    public GuestMemory memory() {
        return memory;
    }

    @Override
    public void restore(byte[] state) {
        machine = MachineBuilder.restore(StateFile.decode(state, "the migrated machine state"), memory, host);
    }

    @Override
    public void start() {
        machine.start();
    }

    @Override
    public void close() {
        if (machine != null) machine.close();
        else memory.close();
    }

    /** The machine, once restored. */
    public Machine machine() {
        return machine;
    }
}
