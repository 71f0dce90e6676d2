package dev.vireo.vmm.kvm;

import dev.vireo.sys.Fd;
import dev.vireo.sys.Ioctl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A KVM VM descriptor: memory slots, vCPUs and VM-wide state. The VM-wide state calls
 * (irqchip, PIT, clock) belong here too, next to each other, when a feature needs them.
 */
public final class Vm implements AutoCloseable {
    private final Kvm kvm;
    private final Fd fd;

    Vm(Kvm kvm, Fd fd) {
        this.kvm = kvm;
        this.fd = fd;
    }

    /** KVM_CHECK_EXTENSION on the VM, which answers for this VM's configuration. */
    public int checkExtension(int capability) {
        return Ioctl.call(fd, KvmApi.CHECK_EXTENSION, capability);
    }

    /**
     * KVM_SET_USER_MEMORY_REGION: guest-physical {@code [guestAddress, guestAddress + size)} is
     * backed by the host memory at {@code host}. Calling it again for the same slot changes its
     * flags (such as {@link KvmApi#MEM_LOG_DIRTY_PAGES}); a size of 0 deletes the slot.
     */
    public void setUserMemoryRegion(int slot, int flags, long guestAddress, long size, MemorySegment host) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(32, 8);
            region.set(JAVA_INT, 0, slot);
            region.set(JAVA_INT, 4, flags);
            region.set(JAVA_LONG, 8, guestAddress);
            region.set(JAVA_LONG, 16, size);
            region.set(JAVA_LONG, 24, host.address());
            Ioctl.call(fd, KvmApi.SET_USER_MEMORY_REGION, region);
        }
    }

    /** KVM_SET_TSS_ADDR: three pages of guest-physical space Intel's real-mode emulation needs. */
    public void setTssAddress(long address) {
        Ioctl.call(fd, KvmApi.SET_TSS_ADDR, address);
    }

    /** KVM_CREATE_VCPU and the mapping of its {@code kvm_run} structure. */
    public Vcpu createVcpu(int id) {
        return new Vcpu(id, Fd.own(Ioctl.call(fd, KvmApi.CREATE_VCPU, id)), kvm.vcpuMmapSize());
    }

    @Override
    public void close() {
        fd.close();
    }
}
