package dev.vireo.vmm.migration;

import dev.vireo.vmm.machine.Machine;
import dev.vireo.vmm.machine.MachineBuilder;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.snapshot.StateFile;

/**
 * The destination's VM, built whole as soon as the header is accepted (before the source pauses
 * anything): fresh anonymous memory, untouched (post-copy registers it with userfaultfd), and
 * the {@link Machine} over it, its vCPU threads started and parked. When the machine state
 * arrives, only setting it (its ioctls, their code warmed by {@link MachineBuilder#warmUp}) and
 * letting the vCPUs go remain, inside the downtime.
 */
public final class MachineDestination implements DestinationVm {
    private final Machine machine;

    public MachineDestination(int vcpus, long memoryBytes, MachineBuilder.Host host) {
        this.machine = MachineBuilder.blank(vcpus, GuestMemory.anonymous(memoryBytes), host);
        machine.startParked();
    }

    /** A machine booted afresh (cold migration): nothing to restore. */
    public MachineDestination(Machine booted) {
        this.machine = booted;
    }

    @Override
    public GuestMemory memory() {
        return machine.memory();
    }

    @Override
    public void restore(byte[] state) {
        machine.restoreState(StateFile.decode(state, "the migrated machine state"));
    }

    @Override
    public void start() {
        machine.start();
    }

    @Override
    public void close() {
        machine.close();
    }

    public Machine machine() {
        return machine;
    }
}
