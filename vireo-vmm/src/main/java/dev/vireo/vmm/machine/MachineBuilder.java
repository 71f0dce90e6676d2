package dev.vireo.vmm.machine;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.SysException;
import dev.vireo.vmm.KvmUnavailableException;
import dev.vireo.vmm.SnapshotException;
import dev.vireo.vmm.VmConfig;
import dev.vireo.vmm.VmOutcome;
import dev.vireo.vmm.boot.BootInfo;
import dev.vireo.vmm.boot.CpuidSetup;
import dev.vireo.vmm.boot.ElfLoader;
import dev.vireo.vmm.boot.LongMode;
import dev.vireo.vmm.devices.Bus;
import dev.vireo.vmm.devices.Snapshottable;
import dev.vireo.vmm.devices.legacy.ConsoleOutput;
import dev.vireo.vmm.devices.legacy.ExitDevice;
import dev.vireo.vmm.devices.legacy.Serial16550;
import dev.vireo.vmm.kvm.Fpu;
import dev.vireo.vmm.kvm.Kvm;
import dev.vireo.vmm.kvm.KvmApi;
import dev.vireo.vmm.kvm.Vcpu;
import dev.vireo.vmm.kvm.Vm;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;
import dev.vireo.vmm.snapshot.MachineState;
import dev.vireo.vmm.snapshot.SnapshotDirectory;
import dev.vireo.vmm.vcpu.RunControl;
import dev.vireo.vmm.vcpu.UnclaimedAccesses;
import dev.vireo.vmm.vcpu.VcpuRunner;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Assembles a {@link Machine}, in Firecracker's builder order: check the kernel against the
 * memory size (before touching KVM, so bad input is reported the same on every host), open KVM,
 * create the VM and its memory slots, attach the devices, create the vCPU. A new machine then
 * gets its kernel loaded and its vCPU put in long mode at the kernel's entry ({@link #build}); a
 * restored one gets the saved VM, vCPU and device state instead ({@link #restore}), the two
 * sharing every step before.
 */
public final class MachineBuilder {
    /** Intel's real-mode emulation needs three pages of guest-physical space; above RAM, below 4 GiB. */
    private static final long TSS_ADDRESS = 0xfffb_d000L;

    /** Where a machine's console writes and reads on the host, and where the VMM reports events worth a line. */
    public record Host(OutputStream console, InputStream consoleInput, Consumer<String> log) {}

    /** The parts every machine has, as built by {@link #assemble}. */
    private record Parts(Kvm kvm, Vm vm, GuestMemory memory, Vcpu vcpu, List<Snapshottable> devices) {}

    private interface Finish {
        void apply(Parts parts);
    }

    private MachineBuilder() {}

    public static Machine build(VmConfig config) {
        byte[] elf = config.kernel().elf();
        String what = config.kernel().name();
        ElfLoader.KernelImage image = ElfLoader.parse(elf, what);
        ElfLoader.checkFits(image, what, config.memoryBytes());
        Host host = new Host(config.console(), config.consoleInput(), config.log());
        return assemble(config.memoryBytes(), config.vcpus(), what, config.cmdline(), GuestMemory.anonymous(config.memoryBytes()), host, parts -> {
            ElfLoader.copy(elf, image, parts.memory());
            Vcpu vcpu = parts.vcpu();
            vcpu.setCpuid(CpuidSetup.forVcpu(parts.kvm().supportedCpuid(), 0));
            long bootInfo = BootInfo.write(parts.memory(), config.cmdline(), tscKhz(parts.kvm(), vcpu), config.vcpus());
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
        long size = snapshot.state().config().memoryBytes();
        GuestMemory memory;
        try (Fd file = FileIo.open(snapshot.memory().toString(), FileIo.O_RDONLY)) {
            memory = GuestMemory.mapPrivate(file, size);
        }
        return restore(snapshot.state(), memory, host);
    }

    /**
     * Builds the machine {@code state} describes over {@code memory} (which holds the guest's RAM
     * already, or is filled before the machine starts, as live migration does; the machine owns
     * it from here) and sets the VM, vCPU and device state back. Devices that differ from the
     * saved ones by name are a {@link SnapshotException}.
     */
    public static Machine restore(MachineState state, GuestMemory memory, Host host) {
        MachineState.Config c = state.config();
        return assemble(c.memoryBytes(), c.vcpus(), c.kernel(), c.cmdline(), memory, host, parts -> {
            List<String> names = parts.devices().stream().map(Snapshottable::name).toList();
            if (!names.equals(c.devices())) {
                throw new SnapshotException("the saved machine has devices " + c.devices() + ", this Vireo builds " + names);
            }
            parts.vm().restorePlatform(state.platform());
            parts.vcpu().restoreState(state.vcpus().getFirst());
            for (Snapshottable device : parts.devices()) restoreDevice(device, state.devices().get(device.name()));
        });
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

    private static Machine assemble(long memoryBytes, int vcpus, String kernel, String cmdline, GuestMemory memory, Host host,
                                    Finish finish) {
        List<AutoCloseable> opened = new ArrayList<>();
        opened.add(memory);
        try {
            Kvm kvm = Kvm.open();
            opened.add(kvm);
            if (kvm.checkExtension(KvmApi.CAP_USER_MEMORY) <= 0) {
                throw new KvmUnavailableException(Kvm.DEVICE + " lacks KVM_CAP_USER_MEMORY, which Vireo needs");
            }
            Vm vm = kvm.createVm();
            opened.add(vm);
            if (kvm.checkExtension(KvmApi.CAP_SET_TSS_ADDR) > 0) vm.setTssAddress(TSS_ADDRESS);
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
            List<Snapshottable> devices = List.of(uart, exit);

            Vcpu vcpu = vm.createVcpu(0);
            opened.add(vcpu);
            finish.apply(new Parts(kvm, vm, memory, vcpu, devices));

            VcpuRunner runner = new VcpuRunner(vcpu, pio, mmio, memory, new UnclaimedAccesses(host.log()), control,
                    kvm.checkExtension(KvmApi.CAP_SYNC_REGS) > 0);
            MachineState.Config described = new MachineState.Config(memoryBytes, vcpus, kernel, cmdline,
                    devices.stream().map(Snapshottable::name).toList());
            return new Machine(kvm, vm, memory, pio, mmio, console, uart, devices, List.of(vcpu), List.of(runner), control,
                    host.consoleInput(), described);
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

    private static long tscKhz(Kvm kvm, Vcpu vcpu) {
        if (kvm.checkExtension(KvmApi.CAP_GET_TSC_KHZ) <= 0) return 0;
        try {
            return vcpu.tscKhz();
        } catch (SysException e) {
            return 0; // the guest then reports cycles without microseconds
        }
    }
}
