package dev.vireo.vmm;

import dev.vireo.vmm.machine.Machine;
import dev.vireo.vmm.machine.MachineBuilder;

import java.util.List;

/**
 * A VM built from a {@link VmConfig}: start it, send it {@link VmmAction}s, wait for its
 * {@link VmOutcome}, read its {@link ExitStatistics}. Closing it stops it and releases its
 * memory and KVM descriptors.
 */
public final class VirtualMachine implements AutoCloseable {
    private final Machine machine;

    private VirtualMachine(Machine machine) {
        this.machine = machine;
    }

    /**
     * Builds the VM: bad input (kernel, memory size, command line) and a missing or unusable
     * {@code /dev/kvm} are {@link VmConfigException}s.
     */
    public static VirtualMachine create(VmConfig config) {
        return new VirtualMachine(MachineBuilder.build(config));
    }

    /** A machine built elsewhere (a migration's destination). */
    static VirtualMachine of(Machine machine) {
        return new VirtualMachine(machine);
    }

    Machine machine() {
        return machine;
    }

    /** Starts the vCPUs. */
    public void start() {
        machine.start();
    }

    public VmState handle(VmmAction action) throws InterruptedException {
        return machine.handle(action);
    }

    public VmState state() {
        return machine.state();
    }

    public VmOutcome awaitOutcome() throws InterruptedException {
        return machine.awaitOutcome();
    }

    /** The exits counted so far; exact once the VM is paused or stopped. */
    public ExitStatistics statistics() {
        return machine.statistics();
    }

    /** The {@code RESULT ...} lines the guest printed on its console, parsed. */
    public List<GuestResult> results() {
        return machine.resultLines().stream().map(GuestResult::parse).toList();
    }

    @Override
    public void close() {
        machine.close();
    }
}
