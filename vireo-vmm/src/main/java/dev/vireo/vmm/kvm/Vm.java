package dev.vireo.vmm.kvm;

import dev.vireo.sys.EventFd;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Ioctl;
import dev.vireo.sys.SysException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A KVM VM descriptor: memory slots, vCPUs, the in-kernel interrupt controller and PIT, the
 * eventfds KVM signals (ioeventfd) or listens to (irqfd), and VM-wide state (irqchip, PIT,
 * clock), captured and restored together ({@link VmPlatformState}).
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

    /** KVM_ENABLE_CAP on the VM with the capability's first argument. */
    public void enableCapability(int capability, long arg0) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cap = arena.allocate(104, 8);
            cap.set(JAVA_INT, 0, capability);
            cap.set(JAVA_LONG, 8, arg0);
            Ioctl.call(fd, KvmApi.ENABLE_CAP, cap);
        }
    }

    /**
     * KVM_GET_DIRTY_LOG: the slot's dirty bitmap, one bit per page, into {@code bitmap} (a
     * multiple of 8 bytes covering the slot). Without manual protection KVM also clears the log
     * and write-protects the pages again; with it, {@link #clearDirtyLog} does that.
     */
    public void dirtyLog(int slot, MemorySegment bitmap) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment log = arena.allocate(16, 8);
            log.set(JAVA_INT, 0, slot);
            log.set(JAVA_LONG, 8, bitmap.address());
            Ioctl.call(fd, KvmApi.GET_DIRTY_LOG, log);
        }
    }

    /**
     * KVM_CLEAR_DIRTY_LOG: clears the bits set in {@code bitmap} for pages
     * {@code [firstPage, firstPage + pages)} and write-protects those pages again, so writes after
     * this call show up in the next log.
     */
    public void clearDirtyLog(int slot, long firstPage, int pages, MemorySegment bitmap) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment clear = arena.allocate(24, 8);
            clear.set(JAVA_INT, 0, slot);
            clear.set(JAVA_INT, 4, pages);
            clear.set(JAVA_LONG, 8, firstPage);
            clear.set(JAVA_LONG, 16, bitmap.address());
            Ioctl.call(fd, KvmApi.CLEAR_DIRTY_LOG, clear);
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

    /**
     * Reads the VM-wide state; no vCPU may be running. The interrupt controllers and the PIT are
     * there only when the VM has them in the kernel: KVM answers ENXIO otherwise, and they are left out.
     */
    public VmPlatformState capturePlatform() {
        byte[] clock = Structs.get(fd, KvmApi.GET_CLOCK, new byte[VmPlatformState.CLOCK_SIZE]);
        byte[] pit = absentIfNoDevice(() -> Structs.get(fd, KvmApi.GET_PIT2, new byte[VmPlatformState.PIT2_SIZE]));
        List<byte[]> chips = new ArrayList<>();
        for (int chip : new int[] {KvmApi.IRQCHIP_PIC_MASTER, KvmApi.IRQCHIP_PIC_SLAVE, KvmApi.IRQCHIP_IOAPIC}) {
            byte[] request = new byte[VmPlatformState.IRQCHIP_SIZE];
            request[0] = (byte) chip;
            byte[] state = absentIfNoDevice(() -> Structs.get(fd, KvmApi.GET_IRQCHIP, request));
            if (state == null) break;
            chips.add(state);
        }
        return new VmPlatformState(chips, pit, clock);
    }

    /**
     * Sets captured VM-wide state, in Firecracker's order: PIT, clock, interrupt controllers. The
     * clock's flags are cleared so that KVM sets the guest clock to the saved value as it is
     * rather than advancing it by the host's real time in between (the guest continues where it stopped).
     */
    public void restorePlatform(VmPlatformState state) {
        if (state.pit2() != null) Structs.set(fd, KvmApi.SET_PIT2, state.pit2());
        byte[] clock = state.clock().clone();
        MemorySegment.ofArray(clock).set(JAVA_INT_UNALIGNED, 8, 0);
        Structs.set(fd, KvmApi.SET_CLOCK, clock);
        for (byte[] chip : state.irqchips()) Structs.set(fd, KvmApi.SET_IRQCHIP, chip);
    }

    private static byte[] absentIfNoDevice(Supplier<byte[]> ioctl) {
        try {
            return ioctl.get();
        } catch (SysException e) {
            if (e.is(Errno.ENXIO)) return null;
            throw e;
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
