package dev.vireo.vmm.kvm;

import dev.vireo.sys.EventFd;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Ioctl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A KVM VM descriptor: memory slots, vCPUs, the in-kernel interrupt controller and PIT, and
 * the eventfds KVM signals (ioeventfd) or listens to (irqfd). VM-wide state calls (irqchip,
 * PIT, clock) belong here too, next to each other.
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

    /**
     * KVM_CREATE_IRQCHIP: the in-kernel PIC, IOAPIC and a LAPIC per vCPU, with GSI routes to the
     * PIC and IOAPIC pins. KVM wants it before the first vCPU (each vCPU's LAPIC is made with it).
     */
    public void createIrqchip() {
        Ioctl.call(fd, KvmApi.CREATE_IRQCHIP);
    }

    /** KVM_CREATE_PIT2 (struct kvm_pit_config: u32 flags, u32 pad[15]); after the irqchip, on IRQ 0. */
    public void createPit2(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment config = arena.allocate(KvmApi.PIT_CONFIG_SIZE, 4);
            config.set(JAVA_INT, 0, flags);
            Ioctl.call(fd, KvmApi.CREATE_PIT2, config);
        }
    }

    /**
     * KVM_IRQFD: a signal on {@code eventfd} raises GSI {@code gsi} in the in-kernel irqchip
     * (struct kvm_irqfd: u32 fd, u32 gsi, u32 flags, u32 resamplefd, u8 pad[16]).
     */
    public void irqfd(EventFd eventfd, int gsi) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment irqfd = arena.allocate(KvmApi.IRQFD_SIZE, 4);
            irqfd.set(JAVA_INT, 0, eventfd.fd().value());
            irqfd.set(JAVA_INT, 4, gsi);
            Ioctl.call(fd, KvmApi.IRQFD, irqfd);
        }
    }

    /**
     * KVM_IOEVENTFD for MMIO: a guest write of {@code length} bytes to {@code address} (with
     * value {@code datamatch}, when not null) signals {@code eventfd} inside KVM, with no exit
     * to the VMM (struct kvm_ioeventfd: u64 datamatch, u64 addr, u32 len, s32 fd, u32 flags,
     * u8 pad[36]).
     */
    public void ioeventfd(EventFd eventfd, long address, int length, Long datamatch) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(KvmApi.IOEVENTFD_SIZE, 8);
            event.set(JAVA_LONG, 0, datamatch != null ? datamatch : 0);
            event.set(JAVA_LONG, 8, address);
            event.set(JAVA_INT, 16, length);
            event.set(JAVA_INT, 20, eventfd.fd().value());
            event.set(JAVA_INT, 24, datamatch != null ? KvmApi.IOEVENTFD_FLAG_DATAMATCH : 0);
            Ioctl.call(fd, KvmApi.IOEVENTFD, event);
        }
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
