package dev.vireo.vmm.machine;

import dev.vireo.vmm.ExitSample;
import dev.vireo.vmm.ExitStatistics;
import dev.vireo.vmm.SnapshotException;
import dev.vireo.vmm.VmOutcome;
import dev.vireo.vmm.VmState;
import dev.vireo.vmm.VmmAction;
import dev.vireo.vmm.devices.Bus;
import dev.vireo.vmm.devices.Snapshottable;
import dev.vireo.vmm.devices.legacy.ConsoleOutput;
import dev.vireo.vmm.devices.legacy.ExitCountPort;
import dev.vireo.vmm.devices.legacy.Serial16550;
import dev.vireo.vmm.devices.virtio.VirtioMmioDevice;
import dev.vireo.vmm.kvm.Kvm;
import dev.vireo.vmm.kvm.KvmStats;
import dev.vireo.vmm.kvm.Vcpu;
import dev.vireo.vmm.kvm.VcpuState;
import dev.vireo.vmm.kvm.Vm;
import dev.vireo.vmm.memory.DirtyLog;
import dev.vireo.vmm.kvm.VmPlatformState;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.snapshot.MachineState;
import dev.vireo.vmm.snapshot.SnapshotDirectory;
import dev.vireo.vmm.snapshot.StateFile;
import dev.vireo.vmm.vcpu.ExitCounters;
import dev.vireo.vmm.vcpu.ExitSummary;
import dev.vireo.vmm.vcpu.RunControl;
import dev.vireo.vmm.vcpu.VcpuRunner;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A built VM: KVM descriptors, guest memory, buses and devices, and one runner per vCPU. The
 * control requests ({@link VmmAction}) arrive here; each is handled by kicking and parking or
 * releasing the vCPU threads through {@link RunControl}. A paused machine's state can be captured
 * ({@link #captureState()}) and written as a snapshot with its memory.
 */
public final class Machine implements AutoCloseable {
    private final Kvm kvm;
    private final Vm vm;
    private final GuestMemory memory;
    private final Bus pio, mmio;
    private final ConsoleOutput console;
    private final Serial16550 uart;
    private final List<Snapshottable> devices;
    private final List<VirtioMmioDevice> virtio;
    private final ExitCountPort exitCount;
    private final KvmStats stats; // null where KVM has no binary statistics
    private final List<Vcpu> vcpus;
    private final List<VcpuRunner> runners;
    private final RunControl control;
    private final InputStream consoleInput;
    /** What the machine was built from; a restored state brings its own. Guarded by this. */
    private MachineState.Config config;
    private final List<Thread> threads = new ArrayList<>();
    private volatile VmState state = VmState.CREATED;

    Machine(Kvm kvm, Vm vm, GuestMemory memory, Bus pio, Bus mmio, ConsoleOutput console, Serial16550 uart,
            List<Snapshottable> devices, List<VirtioMmioDevice> virtio, ExitCountPort exitCount, KvmStats stats,
            List<Vcpu> vcpus, List<VcpuRunner> runners, RunControl control, InputStream consoleInput,
            MachineState.Config config) {
        this.kvm = kvm;
        this.vm = vm;
        this.memory = memory;
        this.pio = pio;
        this.mmio = mmio;
        this.console = console;
        this.uart = uart;
        this.devices = devices;
        this.virtio = virtio;
        this.exitCount = exitCount;
        this.stats = stats;
        this.vcpus = vcpus;
        this.runners = runners;
        this.control = control;
        this.consoleInput = consoleInput;
        this.config = config;
    }

    /**
     * Starts the vCPU threads parked before their first KVM_RUN, so that {@link #start} only
     * lets them go: a migration's destination does this before the source pauses, since
     * starting threads costs milliseconds inside the downtime. A state may still be restored.
     */
    public synchronized void startParked() {
        if (state != VmState.CREATED || !threads.isEmpty()) throw new IllegalStateException("the VM was already started");
        control.holdAtStart();
        for (VcpuRunner runner : runners) threads.add(runner.start());
    }

    public synchronized void start() {
        if (state != VmState.CREATED) throw new IllegalStateException("the VM was already started");
        if (threads.isEmpty()) {
            for (VcpuRunner runner : runners) threads.add(runner.start());
        } else {
            control.resume();
        }
        if (consoleInput != null) Thread.ofVirtual().name("console-input").start(this::feedInput);
        state = VmState.RUNNING;
    }

    /**
     * Handles one control request; returns the state it leaves the VM in. Requests are handled
     * one at a time: a second caller waits for the first.
     */
    public synchronized VmState handle(VmmAction action) throws InterruptedException, IOException {
        switch (action) {
            case VmmAction.Pause _ -> {
                if (state == VmState.RUNNING) {
                    control.pause();
                    state = control.isPaused() ? VmState.PAUSED : VmState.STOPPED;
                }
            }
            case VmmAction.Resume _ -> {
                if (state == VmState.PAUSED) {
                    control.resume();
                    state = VmState.RUNNING;
                }
            }
            case VmmAction.CreateSnapshot(Path dir) -> {
                MachineState captured = captureState();
                SnapshotDirectory.write(dir, captured, memory);
            }
            case VmmAction.Stop _ -> stop(new VmOutcome.Stopped());
        }
        return state;
    }

    public VmState state() {
        return state;
    }

    /** Stops the VM with {@code outcome} (unless it had already ended): a stop request, or a migration away. */
    public synchronized void stop(VmOutcome outcome) {
        control.stop(outcome);
        control.resume();
    }

    /** Starts KVM's dirty-page log over the guest's memory, for live migration. */
    public DirtyLog startDirtyLog() {
        return DirtyLog.start(vm, memory);
    }

    public int vcpuCount() {
        return vcpus.size();
    }

    /**
     * The paused machine's whole state but its memory ({@link #memory()}): VM-wide KVM state, each
     * vCPU's (the LAPIC when the VM has an in-kernel irqchip), each device's. The VM must be
     * paused and stays so; a VM in another state is an {@link IllegalStateException}.
     */
    public synchronized MachineState captureState() {
        if (state != VmState.PAUSED) {
            throw new IllegalStateException("the VM is " + state.name().toLowerCase(Locale.ROOT) + ", not paused: pause it first");
        }
        return capture();
    }

    private MachineState capture() {
        VmPlatformState platform = vm.capturePlatform();
        VcpuState.Support support = kvm.stateSupport(vm);
        List<VcpuState> saved = vcpus.stream().map(v -> v.captureState(support, !platform.irqchips().isEmpty())).toList();
        Map<String, byte[]> deviceStates = new LinkedHashMap<>();
        for (Snapshottable device : devices) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                device.saveState(out);
            } catch (IOException e) {
                throw new UncheckedIOException("saving the state of device " + device.name(), e);
            }
            deviceStates.put(device.name(), bytes.toByteArray());
        }
        return new MachineState(config, saved, platform, deviceStates);
    }

    /**
     * Sets a saved state on this machine, which has not run yet: the VM-wide KVM state, each
     * vCPU's, each device's, in the order {@link #captureState} documents. A state saved from a
     * machine built otherwise (memory size, vCPUs, devices by name) is a {@link SnapshotException}
     * before anything is set.
     */
    public synchronized void restoreState(MachineState saved) {
        if (state != VmState.CREATED) throw new IllegalStateException("the VM has run already: a saved state is set before it starts");
        MachineState.Config c = saved.config();
        if (c.memoryBytes() != memory.size() || saved.vcpus().size() != vcpus.size()) {
            throw new SnapshotException(String.format(Locale.ROOT, "the saved machine has %d MiB and %d vCPUs, this one %d MiB and %d",
                    c.memoryBytes() >> 20, saved.vcpus().size(), memory.size() >> 20, vcpus.size()));
        }
        if (!c.devices().equals(config.devices())) {
            throw new SnapshotException("the saved machine has devices " + c.devices() + ", this Vireo builds " + config.devices());
        }
        vm.restorePlatform(saved.platform());
        for (int i = 0; i < vcpus.size(); i++) vcpus.get(i).restoreState(saved.vcpus().get(i));
        for (Snapshottable device : devices) restoreDevice(device, saved.devices().get(device.name()));
        config = c;
    }

    /**
     * Sets this unstarted machine's own state back on it, through its serialized form (as a
     * migration carries it): capture, encoding, decoding and restore load and run once
     * ({@link MachineBuilder#warmUp}). Changes nothing.
     */
    synchronized void rehearseRestore() {
        if (state != VmState.CREATED) throw new IllegalStateException("the VM has run already");
        restoreState(StateFile.decode(StateFile.encode(capture()), "the machine's own state"));
    }

    private static void restoreDevice(Snapshottable device, byte[] saved) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(saved));
        try {
            device.restoreState(in);
            if (in.available() > 0) throw new IOException(in.available() + " bytes left over");
        } catch (IOException e) {
            throw new SnapshotException("the saved state of device " + device.name() + " is malformed: " + e.getMessage());
        }
    }

    /** The guest's RAM; stable while the VM is paused. */
    public GuestMemory memory() {
        return memory;
    }

    /** Waits until every vCPU has stopped; returns how the run ended. */
    public VmOutcome awaitOutcome() throws InterruptedException {
        VmOutcome outcome = control.awaitOutcome();
        for (Thread t : threads) t.join();
        console.flush();
        synchronized (this) {
            state = VmState.STOPPED;
        }
        return outcome;
    }

    public ExitStatistics statistics() {
        List<ExitCounters> counters = runners.stream().map(VcpuRunner::counters).toList();
        return ExitSummary.summarize(counters, pio, mmio);
    }

    /** The exit counts at each of the guest's reads of port 0xf0. */
    public List<ExitSample> exitSamples() {
        return exitCount.samples();
    }

    public List<String> resultLines() {
        return console.resultLines();
    }

    /** Copies the console input to the UART, waiting while its FIFO is full so nothing is lost. */
    private void feedInput() {
        try {
            int b;
            while ((b = consoleInput.read()) >= 0) {
                while (!uart.offer((byte) b)) uart.awaitRoom();
            }
        } catch (IOException | InterruptedException e) {
            // the console's input ended with the VM or the terminal; the guest just reads nothing more
        }
    }

    @Override
    public void close() {
        if (state == VmState.RUNNING || state == VmState.PAUSED || !threads.isEmpty()) {
            control.stop(new VmOutcome.Stopped());
            control.resume();
            try {
                awaitOutcome();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (VirtioMmioDevice d : virtio) d.close();
        if (stats != null) stats.close();
        console.close();
        for (Vcpu v : vcpus) v.close();
        memory.close();
        vm.close();
        kvm.close();
    }
}
