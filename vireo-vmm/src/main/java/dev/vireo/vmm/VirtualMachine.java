package dev.vireo.vmm;

import dev.vireo.vmm.machine.Machine;
import dev.vireo.vmm.machine.MachineBuilder;

import dev.vireo.vmm.snapshot.SnapshotDirectory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A VM built from a {@link VmConfig}: start it, send it {@link VmmAction}s, wait for its
 * {@link VmOutcome}, read its {@link ExitStatistics}. Closing it stops it and releases its
 * memory and KVM descriptors.
 */
public final class VirtualMachine implements VmControl, AutoCloseable {
    private final Machine machine;
    /** What the VM was built from; null for one restored or migrated here. */
    private final VmConfig config;

    private VirtualMachine(Machine machine, VmConfig config) {
        this.machine = machine;
        this.config = config;
    }

    /**
     * Builds the VM: bad input (kernel, memory size, command line) and a missing or unusable
     * {@code /dev/kvm} are {@link VmConfigException}s.
     */
    public static VirtualMachine create(VmConfig config) {
        return new VirtualMachine(MachineBuilder.build(config), config);
    }

    /** A machine built elsewhere (a migration's destination). */
    static VirtualMachine of(Machine machine) {
        return new VirtualMachine(machine, null);
    }

    Machine machine() {
        return machine;
    }

    VmConfig config() {
        return config;
    }

    /**
     * Rebuilds the VM a snapshot directory holds, ready to {@link #start()} where it stopped.
     * An incomplete snapshot, one of another format version or one whose checksums do not
     * match is a {@link SnapshotException}, thrown before anything is built.
     */
    public static VirtualMachine restore(Path snapshot, OutputStream console, InputStream consoleInput, Consumer<String> log)
            throws IOException {
        return restore(snapshot, console, consoleInput, log, null);
    }

    /**
     * As {@link #restore(Path, OutputStream, InputStream, Consumer)}, with {@code disk} behind
     * virtio-blk (snapshots do not copy disks; null gives a fresh scratch disk). The disk must
     * have the capacity the saved machine's had.
     */
    public static VirtualMachine restore(Path snapshot, OutputStream console, InputStream consoleInput, Consumer<String> log,
                                         Path disk) throws IOException {
        SnapshotDirectory.Loaded loaded = SnapshotDirectory.load(snapshot);
        return new VirtualMachine(MachineBuilder.restore(loaded, new MachineBuilder.Host(console, consoleInput, log, disk)), null);
    }

    @Override
    public MigrationReport migrate(String host, int port, MigrationOptions options, MigrationProgress progress)
            throws MigrationException, InterruptedException {
        return Migration.send(this, host, port, options, progress);
    }

    /** Starts the vCPUs. */
    public void start() {
        machine.start();
    }

    @Override
    public VmState handle(VmmAction action) throws InterruptedException, IOException {
        return machine.handle(action);
    }

    @Override
    public VmState state() {
        return machine.state();
    }

    public VmOutcome awaitOutcome() throws InterruptedException {
        return machine.awaitOutcome();
    }

    /** The exits counted so far; exact once the VM is paused or stopped. */
    @Override
    public ExitStatistics statistics() {
        return machine.statistics();
    }

    /** The exit counts at each read of port 0xf0 by the guest, in order. */
    public List<ExitSample> exitSamples() {
        return machine.exitSamples();
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
