package dev.vireo.vmm;

import dev.vireo.vmm.machine.MachineBuilder;
import dev.vireo.vmm.migration.DestinationVm;
import dev.vireo.vmm.migration.MachineDestination;
import dev.vireo.vmm.migration.MachineSource;
import dev.vireo.vmm.migration.Receiver;
import dev.vireo.vmm.migration.Rehearsal;
import dev.vireo.vmm.migration.Sender;
import dev.vireo.vmm.migration.SourceVm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Moving a VM between two Vireo processes: {@link #send} from the one that runs it,
 * {@link #receive} in the one that takes it over. Non-live, pre-copy and post-copy carry
 * memory and the machine state (the snapshot format) over one TCP connection.
 */
public final class Migration {
    private Migration() {}

    /**
     * Sends the running {@code vm} to {@code host:port}. When this returns the destination runs
     * the VM and this one is stopped; a {@link MigrationException} says where the VM is instead.
     */
    public static MigrationReport send(VirtualMachine vm, String host, int port, MigrationOptions options,
                                       MigrationProgress progress) throws MigrationException, InterruptedException {
        VmState state = vm.state();
        boolean cold = options.mode() == MigrationMode.COLD;
        if (cold ? state == VmState.RUNNING || state == VmState.PAUSED : state != VmState.RUNNING) {
            throw new IllegalArgumentException("the VM is " + state.name().toLowerCase(Locale.ROOT) + ": "
                    + (cold ? "a cold migration moves a VM that does not run (use --mode nonlive)" : "only a running VM migrates live or non-live"));
        }
        Socket socket;
        try {
            socket = new Socket(host, port);
        } catch (IOException e) {
            throw new MigrationException(MigrationException.Outcome.SOURCE_RUNNING, "cannot connect to " + host + ":" + port
                    + " (" + e.getMessage() + "); the VM keeps running here");
        }
        MigrationReport report = Sender.send(new MachineSource(vm.machine(), vm.config()), options, socket, progress);
        vm.machine().stop(new VmOutcome.Migrated(host + ":" + port));
        return report;
    }

    /**
     * Waits on {@code server} for one incoming VM and returns it running, its console on
     * {@code console} and {@code consoleInput}; a cold migration's disk image is kept in
     * {@code disk} (null: this destination takes none). {@code preparedMemory}, when not 0, is
     * the memory size of the VM expected: its machine is built before the source connects, as
     * QEMU's {@code -incoming} destination is, and a VM of another size is refused (0: the
     * machine is built when the header comes, with the source waiting). {@code onPostcopyLost}
     * hears, once, that a post-copy link dropped: the VM cannot go on here, its vCPUs wait for
     * pages that will not come, and the caller should end the process. {@code log} hears when
     * this side is ready, just before it waits.
     */
    public static VirtualMachine receive(ServerSocket server, OutputStream console, InputStream consoleInput, Path disk,
                                         long preparedMemory, Consumer<String> log, Consumer<String> onPostcopyLost,
                                         MigrationProgress progress) throws MigrationException, IOException {
        // While no VM is coming yet: the handshake, the rounds and the downtime then run warm code.
        MachineBuilder.warmUp();
        Rehearsal.run();
        MachineBuilder.Host host = new MachineBuilder.Host(console, consoleInput, log);
        // Until the factory hands it out; whatever is left here when the migration ends is closed.
        AtomicReference<MachineDestination> prepared = new AtomicReference<>(
                preparedMemory == 0 ? null : new MachineDestination(1, preparedMemory, host));
        DestinationVm.Factory factory = new DestinationVm.Factory() {
            @Override
            public DestinationVm create(int vcpus, long memoryBytes) {
                if (preparedMemory == 0) return new MachineDestination(vcpus, memoryBytes, host);
                if (vcpus != 1 || memoryBytes != preparedMemory) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "it was prepared for a VM of %d MiB and 1 vCPU "
                            + "(vm receive --memory), not %d MiB and %d vCPU%s", preparedMemory >> 20, memoryBytes >> 20, vcpus,
                            vcpus == 1 ? "" : "s"));
                }
                return prepared.getAndSet(null);
            }

            @Override
            public DestinationVm boot(int vcpus, long memoryBytes, SourceVm.BootConfig boot) {
                VmConfig config = VmConfig.builder().kernel(new VmConfig.Kernel(boot.kernelName(), boot.kernel()))
                        .memory(memoryBytes).cmdline(boot.cmdline()).disk(boot.disk()).console(console).consoleInput(consoleInput)
                        .log(log).build();
                return new MachineDestination(MachineBuilder.build(config));
            }

            @Override
            public Path diskFile() {
                return disk;
            }
        };
        try {
            log.accept("waiting for a VM on " + server.getInetAddress().getHostAddress() + ":" + server.getLocalPort() + (preparedMemory == 0 ? ""
                    : String.format(Locale.ROOT, ", its %d MiB machine ready", preparedMemory >> 20)));
            Socket socket = server.accept();
            Receiver.Received received = Receiver.receive(socket, hostMemoryAvailable(), factory, onPostcopyLost, progress);
            return VirtualMachine.of(((MachineDestination) received.vm()).machine());
        } finally {
            MachineDestination unused = prepared.getAndSet(null);
            if (unused != null) unused.close();
        }
    }

    /**
     * Migrates a small VM without KVM inside this process, both ways (pre-copy and post-copy),
     * so that the migration code is loaded and has run once: for an AOT cache's training run.
     */
    public static void rehearse() {
        Rehearsal.run();
    }

    /** MemAvailable from /proc/meminfo: the most guest memory this host takes in. */
    public static long hostMemoryAvailable() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        throw new IOException("/proc/meminfo has no MemAvailable");
    }
}
