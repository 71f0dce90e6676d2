package dev.vireo.vmm.kvm;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.Ioctl;
import dev.vireo.sys.SysException;
import dev.vireo.vmm.KvmHost;
import dev.vireo.vmm.KvmUnavailableException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** The KVM system descriptor ({@code /dev/kvm}): API version, capabilities, and new VMs. */
public final class Kvm implements AutoCloseable {
    public static final String DEVICE = KvmHost.DEVICE;

    private final Fd fd;
    private final int vcpuMmapSize;

    private Kvm(Fd fd) {
        this.fd = fd;
        int version = Ioctl.call(fd, KvmApi.GET_API_VERSION);
        if (version != KvmApi.API_VERSION) {
            fd.close();
            throw new KvmUnavailableException(DEVICE + " speaks KVM API version " + version + ", Vireo needs "
                    + KvmApi.API_VERSION);
        }
        this.vcpuMmapSize = Ioctl.call(fd, KvmApi.GET_VCPU_MMAP_SIZE);
    }

    /**
     * Opens {@code /dev/kvm}; a missing device, a denied open or a KVM-PVM host is a
     * {@link KvmUnavailableException} that says what to do.
     */
    public static Kvm open() {
        KvmHost.unusableReason().ifPresent(reason -> {
            throw new KvmUnavailableException(reason);
        });
        try {
            return new Kvm(FileIo.open(DEVICE, FileIo.O_RDWR));
        } catch (SysException e) {
            throw new KvmUnavailableException(DEVICE + ": " + e.getMessage());
        }
    }

    /** KVM_CHECK_EXTENSION: 0 when the capability is absent, otherwise a capability-specific value. */
    public int checkExtension(int capability) {
        return Ioctl.call(fd, KvmApi.CHECK_EXTENSION, capability);
    }

    public int vcpuMmapSize() {
        return vcpuMmapSize;
    }

    /** KVM_GET_SUPPORTED_CPUID: every CPUID leaf KVM can present to a guest on this host. */
    public List<CpuidEntry> supportedCpuid() {
        return Structs.cpuid(fd, KvmApi.GET_SUPPORTED_CPUID);
    }

    /** KVM_GET_MSR_INDEX_LIST: the MSRs KVM saves and restores for a guest (some may not exist on a given vCPU). */
    public List<Integer> msrIndexList() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment probe = arena.allocate(4, 4);
            try {
                Ioctl.call(fd, KvmApi.GET_MSR_INDEX_LIST, probe);
            } catch (SysException e) {
                if (!e.is(Errno.E2BIG)) throw e;
            }
            int count = probe.get(JAVA_INT, 0);
            MemorySegment list = arena.allocate(4 + 4L * count, 4);
            list.set(JAVA_INT, 0, count);
            Ioctl.call(fd, KvmApi.GET_MSR_INDEX_LIST, list);
            List<Integer> indices = new ArrayList<>(list.get(JAVA_INT, 0));
            for (int i = 0; i < list.get(JAVA_INT, 0); i++) indices.add(list.get(JAVA_INT, 4 + 4L * i));
            return indices;
        }
    }

    /** Which optional vCPU state this host's KVM can save for VMs like {@code vm}. */
    public VcpuState.Support stateSupport(Vm vm) {
        int xsaveSize = checkExtension(KvmApi.CAP_XSAVE) <= 0 ? 0 : Math.max(VcpuState.XSAVE_SIZE, vm.checkExtension(KvmApi.CAP_XSAVE2));
        return new VcpuState.Support(xsaveSize, checkExtension(KvmApi.CAP_XCRS) > 0, checkExtension(KvmApi.CAP_DEBUGREGS) > 0,
                checkExtension(KvmApi.CAP_VCPU_EVENTS) > 0, msrIndexList());
    }

    /** KVM_CREATE_VM with the default machine type. */
    public Vm createVm() {
        return new Vm(this, Fd.own(Ioctl.call(fd, KvmApi.CREATE_VM, 0L)));
    }

    @Override
    public void close() {
        fd.close();
    }
}
