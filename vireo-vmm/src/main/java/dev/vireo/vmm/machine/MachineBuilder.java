package dev.vireo.vmm.machine;

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
import dev.vireo.vmm.vcpu.RunControl;
import dev.vireo.vmm.vcpu.UnclaimedAccesses;
import dev.vireo.vmm.vcpu.VcpuRunner;

import java.util.ArrayList;
import java.util.List;

/**
 * Assembles a {@link Machine} from a {@link VmConfig}, in Firecracker's builder order: check the
 * kernel against the memory size (before touching KVM, so bad input is reported the same on
 * every host), open KVM, create the VM and its memory slots, load the kernel, attach the
 * devices, create the vCPU and put it in long mode at the kernel's entry.
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

    private MachineBuilder() {}

    public static Machine build(VmConfig config) {
        byte[] elf = config.kernel().elf();
        String what = config.kernel().name();
        ElfLoader.KernelImage image = ElfLoader.parse(elf, what);
        ElfLoader.checkFits(image, what, config.memoryBytes());

        List<AutoCloseable> opened = new ArrayList<>();
        try {
            VirtioDevice disk = disk(config);
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

            GuestMemory memory = GuestMemory.anonymous(config.memoryBytes());
            opened.add(memory);
            for (MemoryRegion r : memory.regions()) {
                vm.setUserMemoryRegion(r.slot(), r.flags(), r.guestAddress(), r.size(), r.host());
            }
            ElfLoader.copy(elf, image, memory);

            RunControl control = new RunControl();
            ConsoleOutput console = new ConsoleOutput(config.console());
            opened.add(console);
            Bus pio = new Bus("I/O port"), mmio = new Bus("MMIO");
            Serial16550 uart = new Serial16550("uart0", console, asserted -> { });
            pio.insert(Serial16550.COM1, Serial16550.LENGTH, uart);
            pio.insert(ExitDevice.PORT, ExitDevice.LENGTH,
                    new ExitDevice(status -> control.stop(new VmOutcome.PoweredOff(status))));

            RateLimitedLog virtioErrors = RateLimitedLog.perSecond(config.log());
            List<VirtioMmioDevice> virtio = new ArrayList<>();
            List<BootInfo.VirtioMmio> table = new ArrayList<>();
            VirtioDevice[] devices = {VirtioMmioDevice.console(console::write), disk, VirtioMmioDevice.rng()};
            for (int i = 0; i < devices.length; i++) {
                long base = VIRTIO_BASE + i * VirtioMmioDevice.WINDOW;
                VirtioMmioDevice d = VirtioMmioDevice.attach(devices[i], vm, memory, base, VIRTIO_GSI + i, virtioErrors);
                opened.add(d);
                virtio.add(d);
                mmio.insert(base, VirtioMmioDevice.WINDOW, d.busDevice());
                table.add(new BootInfo.VirtioMmio(base, VirtioMmioDevice.WINDOW, VIRTIO_GSI + i));
            }

            Vcpu vcpu = vm.createVcpu(0);
            opened.add(vcpu);
            vcpu.setCpuid(CpuidSetup.forVcpu(kvm.supportedCpuid(), 0));
            long bootInfo = BootInfo.write(memory, config.cmdline(), tscKhz(kvm, vcpu), config.vcpus(), table);
            LongMode.BootState boot = LongMode.setUp(memory, vcpu.sregs(), image.entry(), bootInfo);
            vcpu.setSregs(boot.sregs());
            vcpu.setRegs(boot.regs());
            vcpu.setFpu(Fpu.initial());

            VcpuRunner runner = new VcpuRunner(vcpu, pio, mmio, memory, new UnclaimedAccesses(config.log()), control,
                    kvm.checkExtension(KvmApi.CAP_SYNC_REGS) > 0);
            KvmStats stats = kvm.checkExtension(KvmApi.CAP_BINARY_STATS_FD) > 0 ? vcpu.stats() : null;
            if (stats != null) opened.add(stats);
            ExitCountPort exitCount = new ExitCountPort(() -> runner.counters().exits(), stats != null ? stats::exits : () -> -1);
            pio.insert(ExitCountPort.PORT, ExitCountPort.LENGTH, exitCount);
            return new Machine(kvm, vm, memory, pio, mmio, console, uart, virtio, exitCount, stats, List.of(vcpu),
                    List.of(runner), control, config.consoleInput());
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
    private static VirtioDevice disk(VmConfig config) {
        if (config.disk() == null) return VirtioMmioDevice.scratchBlock(VmConfig.SCRATCH_DISK);
        try {
            return VirtioMmioDevice.block(config.disk());
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
