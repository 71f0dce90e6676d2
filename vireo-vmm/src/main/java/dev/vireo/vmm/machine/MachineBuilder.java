package dev.vireo.vmm.machine;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.SysException;
import dev.vireo.vmm.KvmUnavailableException;
import dev.vireo.vmm.VmConfig;
import dev.vireo.vmm.VmConfigException;
import dev.vireo.vmm.VmOutcome;
import dev.vireo.vmm.boot.BootInfo;
import dev.vireo.vmm.boot.CpuidSetup;
import dev.vireo.vmm.boot.ElfLoader;
import dev.vireo.vmm.boot.LongMode;
import dev.vireo.vmm.devices.Bus;
import dev.vireo.vmm.devices.RateLimitedLog;
import dev.vireo.vmm.devices.Snapshottable;
import dev.vireo.vmm.devices.legacy.ConsoleOutput;
import dev.vireo.vmm.devices.legacy.ExitCountPort;
import dev.vireo.vmm.devices.legacy.ExitDevice;
import dev.vireo.vmm.devices.legacy.Serial16550;
import dev.vireo.vmm.devices.virtio.VirtioDevice;
import dev.vireo.vmm.devices.virtio.VirtioMmioDevice;
import dev.vireo.vmm.kvm.Fpu;
import dev.vireo.vmm.kvm.Kvm;
import dev.vireo.vmm.kvm.KvmApi;
import dev.vireo.vmm.kvm.KvmStats;
import dev.vireo.vmm.kvm.Vcpu;
import dev.vireo.vmm.kvm.Vm;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;
import dev.vireo.vmm.snapshot.MachineState;
import dev.vireo.vmm.snapshot.SnapshotDirectory;
import dev.vireo.vmm.vcpu.RunControl;
import dev.vireo.vmm.vcpu.UnclaimedAccesses;
import dev.vireo.vmm.vcpu.VcpuRunner;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Assembles a {@link Machine}, in Firecracker's builder order: check the kernel against the
 * memory size (before touching KVM, so bad input is reported the same on every host), open KVM,
 * create the VM and its memory slots, attach the devices, create the vCPU. A new machine then
 * gets its kernel loaded and its vCPU put in long mode at the kernel's entry ({@link #build}); a
 * {@link #blank} one waits for a saved VM, vCPU and device state ({@link Machine#restoreState}),
 * which a snapshot's {@link #restore} sets at once and a migration's destination once it arrives.
 */
public final class MachineBuilder {
    /** Intel's real-mode emulation needs three pages of guest-physical space; above RAM, below 4 GiB. */
    private static final long TSS_ADDRESS = 0xfffb_d000L;
    /**
     * virtio-mmio windows from here, 4 KiB apart, interrupting on IOAPIC pins from
     * {@link #VIRTIO_GSI}; the gap's first page stays unclaimed (the guest's {@code probe}).
     */
    static final long VIRTIO_BASE = 0xd000_1000L;
    static final int VIRTIO_GSI = 5;
    /** The scratch machine of {@link #warmUp}: enough RAM for the slot, nothing runs in it. */
    private static final long WARM_UP_MEMORY = 2L << 20;
    /** {@link #warmUp} ran in this process; guarded by the class. */
    private static boolean warm;

    /**
     * Where a machine's console writes and reads on the host, where the VMM reports events worth a
     * line, and the raw image behind virtio-blk (null: a scratch disk that goes with the VM).
     * Snapshots do not copy disks (as Firecracker's do not): a restored machine is given its disk here.
     */
    public record Host(OutputStream console, InputStream consoleInput, Consumer<String> log, Path disk) {
        public Host(OutputStream console, InputStream consoleInput, Consumer<String> log) {
            this(console, consoleInput, log, null);
        }
    }

    /** The parts every machine has, as built by {@link #assemble}; {@code virtio} is what the boot info lists. */
    private record Parts(Kvm kvm, Vm vm, GuestMemory memory, Vcpu vcpu, List<Snapshottable> devices,
                         List<BootInfo.VirtioMmio> virtio) {}

    private interface Finish {
        void apply(Parts parts);
    }

    private MachineBuilder() {}

    public static Machine build(VmConfig config) {
        byte[] elf = config.kernel().elf();
        String what = config.kernel().name();
        ElfLoader.KernelImage image = ElfLoader.parse(elf, what);
        ElfLoader.checkFits(image, what, config.memoryBytes());
        Host host = new Host(config.console(), config.consoleInput(), config.log(), config.disk());
        return assemble(config.memoryBytes(), config.vcpus(), what, config.cmdline(), GuestMemory.anonymous(config.memoryBytes()), host, parts -> {
            ElfLoader.copy(elf, image, parts.memory());
            Vcpu vcpu = parts.vcpu();
            vcpu.setCpuid(CpuidSetup.forVcpu(parts.kvm().supportedCpuid(), 0));
            long bootInfo = BootInfo.write(parts.memory(), config.cmdline(), tscKhz(parts.kvm(), vcpu), config.vcpus(),
                    parts.virtio());
            LongMode.BootState boot = LongMode.setUp(parts.memory(), vcpu.sregs(), image.entry(), bootInfo);
            vcpu.setSregs(boot.sregs());
            vcpu.setRegs(boot.regs());
            vcpu.setFpu(Fpu.initial());
        });
    }

    /**
     * Builds the machine a checked snapshot describes, its memory a private mapping of the
     * snapshot's memory file (pages come in as the guest touches them), and sets its state back.
     */
    public static Machine restore(SnapshotDirectory.Loaded snapshot, Host host) {
        MachineState.Config c = snapshot.state().config();
        GuestMemory memory;
        try (Fd file = FileIo.open(snapshot.memory().toString(), FileIo.O_RDONLY)) {
            memory = GuestMemory.mapPrivate(file, c.memoryBytes());
        }
        Machine machine = blank(c.vcpus(), memory, host);
        try {
            machine.restoreState(snapshot.state());
            return machine;
        } catch (RuntimeException e) {
            machine.close();
            throw e;
        }
    }

    /**
     * Builds a small blank machine, sets its own state back on it through the serialized form and
     * closes it: the code a migration runs inside its downtime (state capture and encoding at the
     * source; decoding and restore at the destination) and the build before it load and run once,
     * so that a fresh JVM pays for that before the VM pauses rather than while it is down. Once
     * per process: a second caller waits for the first to finish.
     */
    public static synchronized void warmUp() {
        if (warm) return;
        Host quiet = new Host(OutputStream.nullOutputStream(), null, line -> { });
        try (Machine scratch = blank(1, GuestMemory.anonymous(WARM_UP_MEMORY), quiet)) {
            scratch.startParked(); // as a destination's machine: its vCPU thread waits, never entering the guest
            scratch.rehearseRestore();
        }
        // A machine's start launches its console feeder on a virtual thread: start their scheduler now.
        try {
            Thread.startVirtualThread(() -> { }).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        warm = true;
    }

    /**
     * Builds a machine over {@code memory} (which the machine owns from here) for a saved state
     * to be set on later ({@link Machine#restoreState}): everything a restore needs but the
     * state, so that a live migration's destination builds it before the source pauses. Its
     * vCPU has this host's CPUID, as a new machine's would, until the state replaces it.
     */
    public static Machine blank(int vcpus, GuestMemory memory, Host host) {
        return assemble(memory.size(), vcpus, "", "", memory, host,
                parts -> parts.vcpu().setCpuid(CpuidSetup.forVcpu(parts.kvm().supportedCpuid(), 0)));
    }

    private static Machine assemble(long memoryBytes, int vcpus, String kernel, String cmdline, GuestMemory memory, Host host,
                                    Finish finish) {
        List<AutoCloseable> opened = new ArrayList<>();
        opened.add(memory);
        try {
            VirtioDevice disk = disk(host.disk());
            opened.add(disk);
            Kvm kvm = Kvm.open();
            opened.add(kvm);
            require(kvm, KvmApi.CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY");
            require(kvm, KvmApi.CAP_IRQCHIP, "KVM_CAP_IRQCHIP");
            require(kvm, KvmApi.CAP_PIT2, "KVM_CAP_PIT2");
            require(kvm, KvmApi.CAP_IRQFD, "KVM_CAP_IRQFD");
            require(kvm, KvmApi.CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD");
            Vm vm = kvm.createVm();
            opened.add(vm);
            if (kvm.checkExtension(KvmApi.CAP_SET_TSS_ADDR) > 0) vm.setTssAddress(TSS_ADDRESS);
            // KVM wants the interrupt controller before any vCPU (each vCPU's LAPIC joins it), the PIT after it
            vm.createIrqchip();
            vm.createPit2(KvmApi.PIT_SPEAKER_DUMMY);
            for (MemoryRegion r : memory.regions()) {
                vm.setUserMemoryRegion(r.slot(), r.flags(), r.guestAddress(), r.size(), r.host());
            }

            RunControl control = new RunControl();
            ConsoleOutput console = new ConsoleOutput(host.console());
            opened.add(console);
            Bus pio = new Bus("I/O port"), mmio = new Bus("MMIO");
            Serial16550 uart = new Serial16550("uart0", console, asserted -> { });
            pio.insert(Serial16550.COM1, Serial16550.LENGTH, uart);
            ExitDevice exit = new ExitDevice(status -> control.stop(new VmOutcome.PoweredOff(status)));
            pio.insert(ExitDevice.PORT, ExitDevice.LENGTH, exit);
            List<Snapshottable> devices = new ArrayList<>(List.of(uart, exit));

            RateLimitedLog virtioErrors = RateLimitedLog.perSecond(host.log());
            List<VirtioMmioDevice> virtio = new ArrayList<>();
            List<BootInfo.VirtioMmio> table = new ArrayList<>();
            VirtioDevice[] backends = {VirtioMmioDevice.console(console::write), disk, VirtioMmioDevice.rng()};
            for (int i = 0; i < backends.length; i++) {
                long base = VIRTIO_BASE + i * VirtioMmioDevice.WINDOW;
                VirtioMmioDevice d = VirtioMmioDevice.attach(backends[i], vm, memory, base, VIRTIO_GSI + i, virtioErrors);
                opened.add(d);
                virtio.add(d);
                devices.add(d);
                mmio.insert(base, VirtioMmioDevice.WINDOW, d.busDevice());
                table.add(new BootInfo.VirtioMmio(base, VirtioMmioDevice.WINDOW, VIRTIO_GSI + i));
            }

            Vcpu vcpu = vm.createVcpu(0);
            opened.add(vcpu);
            finish.apply(new Parts(kvm, vm, memory, vcpu, devices, table));

            VcpuRunner runner = new VcpuRunner(vcpu, pio, mmio, memory, new UnclaimedAccesses(host.log()), control,
                    kvm.checkExtension(KvmApi.CAP_SYNC_REGS) > 0);
            KvmStats stats = kvm.checkExtension(KvmApi.CAP_BINARY_STATS_FD) > 0 ? vcpu.stats() : null;
            if (stats != null) opened.add(stats);
            ExitCountPort exitCount = new ExitCountPort(() -> runner.counters().exits(), stats != null ? stats::exits : () -> -1);
            pio.insert(ExitCountPort.PORT, ExitCountPort.LENGTH, exitCount);
            MachineState.Config described = new MachineState.Config(memoryBytes, vcpus, kernel, cmdline,
                    devices.stream().map(Snapshottable::name).toList());
            return new Machine(kvm, vm, memory, pio, mmio, console, uart, devices, virtio, exitCount, stats, List.of(vcpu),
                    List.of(runner), control, host.consoleInput(), described);
        } catch (RuntimeException e) {
            for (AutoCloseable c : opened.reversed()) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static void require(Kvm kvm, int capability, String name) {
        if (kvm.checkExtension(capability) <= 0) throw new KvmUnavailableException(Kvm.DEVICE + " lacks " + name + ", which Vireo needs");
    }

    /** The disk behind virtio-blk, opened before KVM so that a bad file reads the same on every host. */
    private static VirtioDevice disk(Path image) {
        if (image == null) return VirtioMmioDevice.scratchBlock(VmConfig.SCRATCH_DISK);
        try {
            return VirtioMmioDevice.block(image);
        } catch (IllegalArgumentException e) {
            throw new VmConfigException(e.getMessage());
        }
    }

    private static long tscKhz(Kvm kvm, Vcpu vcpu) {
        if (kvm.checkExtension(KvmApi.CAP_GET_TSC_KHZ) <= 0) return 0;
        try {
            return vcpu.tscKhz();
        } catch (SysException e) {
            return 0; // the guest then reports cycles without microseconds
        }
    }
}
