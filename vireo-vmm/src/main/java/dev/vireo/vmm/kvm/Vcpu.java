package dev.vireo.vmm.kvm;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Ioctl;
import dev.vireo.sys.Mmap;
import dev.vireo.sys.SysException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A vCPU descriptor and its shared {@code kvm_run} page. {@link #run()} is the hot path; the
 * state accessors (regs, sregs, fpu, cpuid, ...) are kept together here so that saving and
 * restoring a vCPU has one place to grow.
 */
public final class Vcpu implements AutoCloseable {
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

    /** KVM_GET_STATS_FD: this vCPU's binary statistics; null when KVM has no exit counter there. */
    public KvmStats stats() {
        return KvmStats.open(Fd.own(Ioctl.call(fd, KvmApi.GET_STATS_FD)));
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
