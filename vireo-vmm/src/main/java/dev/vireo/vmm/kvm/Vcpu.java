package dev.vireo.vmm.kvm;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Ioctl;
import dev.vireo.sys.Mmap;
import dev.vireo.sys.SysException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A vCPU descriptor and its shared {@code kvm_run} page. {@link #run()} is the hot path; the
 * state accessors (regs, sregs, fpu, cpuid, ...) are kept together here so that saving and
 * restoring a vCPU has one place to grow.
 */
public final class Vcpu implements AutoCloseable {
    private static final int MSR_IA32_TSC = 0x10, MSR_IA32_TSC_DEADLINE = 0x6e0;

    private final int id;
    private final Fd fd;
    private final Arena arena = Arena.ofShared();
    private final KvmRun run;

    Vcpu(int id, Fd fd, int mmapSize) {
        this.id = id;
        this.fd = fd;
        this.run = new KvmRun(Mmap.map(mmapSize, Mmap.PROT_READ | Mmap.PROT_WRITE, Mmap.MAP_SHARED, fd, 0, arena));
    }

    public int id() {
        return id;
    }

    public KvmRun runData() {
        return run;
    }

    /**
     * KVM_RUN: runs the guest until an exit that needs userspace. Returns false when the call
     * was interrupted (EINTR: a signal, or {@code immediate_exit} was set) rather than exiting.
     */
    public boolean run() {
        try {
            Ioctl.call(fd, KvmApi.RUN);
            return true;
        } catch (SysException e) {
            if (e.is(Errno.EINTR)) return false;
            throw e;
        }
    }

    public Regs regs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Regs.SIZE, 8);
            Ioctl.call(fd, KvmApi.GET_REGS, m);
            return Regs.read(m);
        }
    }

    public void setRegs(Regs regs) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Regs.SIZE, 8);
            regs.write(m);
            Ioctl.call(fd, KvmApi.SET_REGS, m);
        }
    }

    public Sregs sregs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Sregs.SIZE, 8);
            Ioctl.call(fd, KvmApi.GET_SREGS, m);
            return Sregs.read(m);
        }
    }

    public void setSregs(Sregs sregs) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Sregs.SIZE, 8);
            sregs.write(m);
            Ioctl.call(fd, KvmApi.SET_SREGS, m);
        }
    }

    public Fpu fpu() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Fpu.SIZE, 8);
            Ioctl.call(fd, KvmApi.GET_FPU, m);
            return Fpu.read(m);
        }
    }

    public void setFpu(Fpu fpu) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Fpu.SIZE, 8);
            fpu.write(m);
            Ioctl.call(fd, KvmApi.SET_FPU, m);
        }
    }

    /** KVM_SET_CPUID2: what the guest's CPUID instruction returns. */
    public void setCpuid(List<CpuidEntry> entries) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(8 + entries.size() * CpuidEntry.SIZE, 8);
            m.set(JAVA_INT, 0, entries.size());
            for (int i = 0; i < entries.size(); i++) entries.get(i).write(m, 8 + i * CpuidEntry.SIZE);
            Ioctl.call(fd, KvmApi.SET_CPUID2, m);
        }
    }

    /**
     * KVM_SET_SIGNAL_MASK: the signals blocked while the guest runs, as the kernel's 64-bit
     * sigset. A signal left out of this mask interrupts KVM_RUN even if the thread blocks it.
     */
    public void setSignalMask(long mask) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(12, 8);
            m.set(JAVA_INT, 0, 8);
            m.set(JAVA_LONG.withByteAlignment(4), 4, mask);
            Ioctl.call(fd, KvmApi.SET_SIGNAL_MASK, m);
        }
    }

    /** KVM_GET_CPUID2: the CPUID entries this vCPU was given. */
    public List<CpuidEntry> cpuid() {
        return Structs.cpuid(fd, KvmApi.GET_CPUID2);
    }

    /**
     * Reads the vCPU's whole state; the vCPU must not be running (paused or never started).
     * Order after Firecracker and api.rst: KVM_GET_MP_STATE first (it makes the LAPIC accept
     * pending events, which changes the rest), KVM_GET_VCPU_EVENTS last. {@code lapic}: the VM
     * has an in-kernel irqchip, so the vCPU has a LAPIC to save.
     */
    public VcpuState captureState(VcpuState.Support support, boolean lapic) {
        int mpState = Structs.get(fd, KvmApi.GET_MP_STATE, new byte[4])[0] & 0xff;
        Regs regs = regs();
        Sregs sregs = sregs();
        Fpu fpu = fpu();
        byte[] xsave = support.xsaveSize() == 0 ? null : Structs.get(fd,
                support.xsaveSize() > VcpuState.XSAVE_SIZE ? KvmApi.GET_XSAVE2 : KvmApi.GET_XSAVE, new byte[support.xsaveSize()]);
        byte[] xcrs = support.xcrs() ? Structs.get(fd, KvmApi.GET_XCRS, new byte[VcpuState.XCRS_SIZE]) : null;
        byte[] debugRegs = support.debugRegs() ? Structs.get(fd, KvmApi.GET_DEBUGREGS, new byte[VcpuState.DEBUGREGS_SIZE]) : null;
        byte[] lapicPage = lapic ? Structs.get(fd, KvmApi.GET_LAPIC, new byte[VcpuState.LAPIC_SIZE]) : null;
        List<Msr> msrs = lapicPage == null ? readableMsrs(support.msrIndices()) : armedTscDeadline(readableMsrs(support.msrIndices()));
        byte[] events = support.events() ? Structs.get(fd, KvmApi.GET_VCPU_EVENTS, new byte[VcpuState.EVENTS_SIZE]) : null;
        return new VcpuState(id, cpuid(), mpState, regs, sregs, fpu, xsave, xcrs, debugRegs, lapicPage, msrs, events);
    }

    /**
     * Sets a captured state on this (not yet running) vCPU. Order after Firecracker: CPUID, MP
     * state, regs (before events: KVM_SET_REGS clears pending exceptions), sregs (the APIC base),
     * FPU and XSAVE, XCRs, debug registers, LAPIC (after sregs, before MSRs: TSC_DEADLINE needs
     * the LAPIC configured), MSRs, and vCPU events last.
     */
    public void restoreState(VcpuState state) {
        setCpuid(state.cpuid());
        byte[] mp = new byte[4];
        mp[0] = (byte) state.mpState();
        Structs.set(fd, KvmApi.SET_MP_STATE, mp);
        setRegs(state.regs());
        setSregs(state.sregs());
        setFpu(state.fpu());
        if (state.xsave() != null) Structs.set(fd, KvmApi.SET_XSAVE, state.xsave());
        if (state.xcrs() != null) Structs.set(fd, KvmApi.SET_XCRS, state.xcrs());
        if (state.debugRegs() != null) Structs.set(fd, KvmApi.SET_DEBUGREGS, state.debugRegs());
        if (state.lapic() != null) Structs.set(fd, KvmApi.SET_LAPIC, state.lapic());
        setMsrs(state.msrs());
        if (state.events() != null) {
            byte[] events = state.events().clone();
            MemorySegment e = MemorySegment.ofArray(events);
            e.set(JAVA_INT_UNALIGNED, VcpuState.EVENTS_FLAGS,
                    e.get(JAVA_INT_UNALIGNED, VcpuState.EVENTS_FLAGS) | VcpuState.EVENTS_RESTORE_FLAGS);
            Structs.set(fd, KvmApi.SET_VCPU_EVENTS, events);
        }
    }

    /**
     * A TSC deadline of 0 (the LAPIC timer disarmed, or fired just now) becomes the current TSC,
     * as Firecracker does: restored as 0, a timer interrupt in flight would be lost; restored as
     * "now" it fires at once.
     */
    private static List<Msr> armedTscDeadline(List<Msr> msrs) {
        long tsc = msrs.stream().filter(m -> m.index() == MSR_IA32_TSC).mapToLong(Msr::value).findFirst().orElse(0);
        return msrs.stream().map(m -> m.index() == MSR_IA32_TSC_DEADLINE && m.value() == 0 ? new Msr(m.index(), tsc) : m).toList();
    }

    /**
     * KVM_GET_MSRS over {@code indices}, keeping those that read back: KVM stops at the first MSR
     * it cannot read and returns how many it read, so the rest is asked again after that one.
     */
    private List<Msr> readableMsrs(List<Integer> indices) {
        List<Msr> readable = new ArrayList<>(indices.size());
        int from = 0;
        while (from < indices.size()) {
            List<Integer> batch = indices.subList(from, indices.size());
            try (Arena a = Arena.ofConfined()) {
                MemorySegment m = msrs(a, batch.size());
                for (int i = 0; i < batch.size(); i++) m.set(JAVA_INT, 8 + i * Msr.SIZE, batch.get(i));
                int read = Ioctl.call(fd, KvmApi.GET_MSRS, m);
                for (int i = 0; i < read; i++) readable.add(new Msr(batch.get(i), m.get(JAVA_LONG, 8 + i * Msr.SIZE + 8)));
                from += read + 1;
            }
        }
        return readable;
    }

    /**
     * KVM_SET_MSRS, which stops at the first MSR KVM refuses. A refused MSR is accepted only when
     * this vCPU already holds the saved value (KVM reads some paravirtual MSRs, such as
     * MSR_KVM_POLL_CONTROL, that it will not take from the host); any other is an error.
     */
    private void setMsrs(List<Msr> msrs) {
        int from = 0;
        while (from < msrs.size()) {
            List<Msr> batch = msrs.subList(from, msrs.size());
            int written;
            try (Arena a = Arena.ofConfined()) {
                MemorySegment m = msrs(a, batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    m.set(JAVA_INT, 8 + i * Msr.SIZE, batch.get(i).index());
                    m.set(JAVA_LONG, 8 + i * Msr.SIZE + 8, batch.get(i).value());
                }
                written = Ioctl.call(fd, KvmApi.SET_MSRS, m);
            }
            if (written < batch.size()) {
                Msr refused = batch.get(written);
                if (!readableMsrs(List.of(refused.index())).equals(List.of(refused))) {
                    throw new IllegalStateException(String.format("KVM_SET_MSRS refused MSR 0x%x (value 0x%x) on vCPU %d",
                            refused.index(), refused.value(), id));
                }
            }
            from += written + 1;
        }
    }

    /** {@code struct kvm_msrs} with room for {@code count} entries. */
    private static MemorySegment msrs(Arena a, int count) {
        MemorySegment m = a.allocate(8 + count * Msr.SIZE, 8);
        m.set(JAVA_INT, 0, count);
        return m;
    }

    /** KVM_GET_TSC_KHZ: the guest's TSC frequency. */
    public long tscKhz() {
        return Ioctl.call(fd, KvmApi.GET_TSC_KHZ);
    }

    /** KVM_TRANSLATE: the guest-physical address of a guest-virtual one, or -1 when unmapped. */
    public long translate(long linearAddress) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(24, 8);
            m.set(JAVA_LONG, 0, linearAddress);
            Ioctl.call(fd, KvmApi.TRANSLATE, m);
            return m.get(JAVA_BYTE, 16) != 0 ? m.get(JAVA_LONG, 8) : -1;
        }
    }

    @Override
    public void close() {
        arena.close();
        fd.close();
    }
}
