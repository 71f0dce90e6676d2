package dev.vireo.vmm.vcpu;

import dev.vireo.sys.Threads;
import dev.vireo.vmm.VmOutcome;
import dev.vireo.vmm.devices.Bus;
import dev.vireo.vmm.kvm.KvmApi;
import dev.vireo.vmm.kvm.KvmRun;
import dev.vireo.vmm.kvm.Vcpu;
import dev.vireo.vmm.memory.GuestMemory;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * One vCPU's run loop, on its own platform thread (KVM_RUN blocks in native code): enter the
 * guest, decode the exit, dispatch it to a device or end the run, count it with the time Vireo
 * spent on it. A kick from another thread ({@link #kick()}) sets {@code immediate_exit} and
 * sends a real-time signal that the thread blocks everywhere except inside KVM_RUN, so KVM_RUN
 * returns EINTR whether the thread is in the guest or about to enter it.
 */
public final class VcpuRunner {
    static final int KICK_SIGNAL = Threads.firstRealtimeSignal();

    private final Vcpu vcpu;
    private final KvmRun run;
    private final MemorySegment page;
    private final Bus pio, mmio;
    private final GuestMemory memory;
    private final UnclaimedAccesses unclaimed;
    private final RunControl control;
    private final ExitCounters counters = new ExitCounters();
    private final Object kickLock = new Object();
    private final boolean syncRegs;
    private int tid; // the thread's kernel id while it runs the loop, 0 otherwise
    private long previousRip, lastRip; // from KVM's register sync, when available

    /** {@code syncRegs}: KVM_CAP_SYNC_REGS is there, so each exit's RIP costs no ioctl. */
    public VcpuRunner(Vcpu vcpu, Bus pio, Bus mmio, GuestMemory memory, UnclaimedAccesses unclaimed, RunControl control,
                      boolean syncRegs) {
        this.vcpu = vcpu;
        this.run = vcpu.runData();
        this.page = run.page();
        this.pio = pio;
        this.mmio = mmio;
        this.memory = memory;
        this.unclaimed = unclaimed;
        this.control = control;
        this.syncRegs = syncRegs;
        if (syncRegs) run.enableRegisterSync();
        control.register(this);
    }

    public ExitCounters counters() {
        return counters;
    }

    /** Starts the vCPU's thread. */
    public Thread start() {
        control.started();
        return Thread.ofPlatform().name("vcpu-" + vcpu.id()).start(this::loop);
    }

    /** Makes the vCPU leave KVM_RUN (or not enter it) soon; safe from any thread, at any time. */
    public void kick() {
        synchronized (kickLock) {
            if (tid == 0) return;
            run.setImmediateExit(true);
            Threads.signal(tid, KICK_SIGNAL);
        }
    }

    private void loop() {
        try {
            Threads.block(KICK_SIGNAL);
            vcpu.setSignalMask(Threads.blockedMask() & ~(1L << (KICK_SIGNAL - 1)));
            synchronized (kickLock) {
                tid = Threads.currentTid();
            }
            runLoop();
        } catch (RuntimeException | InterruptedException e) {
            control.stop(new VmOutcome.VmmFailure("vCPU " + vcpu.id() + ": " + e.getMessage()));
        } finally {
            synchronized (kickLock) {
                tid = 0;
            }
            Threads.consumePending(KICK_SIGNAL);
            control.finished();
        }
    }

    private void runLoop() throws InterruptedException {
        while (!control.stopRequested()) {
            if (control.pauseRequested()) {
                completePendingIo();
                control.park();
                continue;
            }
            long entered = System.nanoTime();
            boolean exited = vcpu.run();
            long left = System.nanoTime();
            counters.guestNanos += left - entered;
            if (!exited) {
                acknowledgeKick();
                counters.exit(KvmApi.EXIT_INTR, System.nanoTime() - left);
                continue;
            }
            if (syncRegs) {
                previousRip = lastRip;
                lastRip = run.syncedRip();
            }
            dispatch(VmExit.decode(run), left);
        }
    }

    private void dispatch(VmExit exit, long left) {
        switch (exit) {
            case VmExit.Io io -> {
                handleIo(io);
                long spent = System.nanoTime() - left;
                counters.exit(KvmApi.EXIT_IO, spent);
                counters.io(io.port(), io.out(), spent);
            }
            case VmExit.Mmio access -> {
                handleMmio(access);
                long spent = System.nanoTime() - left;
                counters.exit(KvmApi.EXIT_MMIO, spent);
                counters.mmio(access.address(), access.write(), spent);
            }
            case VmExit.Interrupted _ -> {
                acknowledgeKick();
                counters.exit(KvmApi.EXIT_INTR, System.nanoTime() - left);
            }
            case VmExit.InterruptWindowOpen _ -> counters.exit(KvmApi.EXIT_IRQ_WINDOW_OPEN, System.nanoTime() - left);
            case VmExit.Halt _ -> end(KvmApi.EXIT_HLT, new VmOutcome.Halted(vcpu.regs().rip()), left);
            case VmExit.Shutdown _ -> end(KvmApi.EXIT_SHUTDOWN, tripleFault(), left);
            case VmExit.FailEntry f -> end(KvmApi.EXIT_FAIL_ENTRY, new VmOutcome.EntryFailure(f.hardwareReason(), f.cpu()), left);
            case VmExit.SystemEvent e -> end(KvmApi.EXIT_SYSTEM_EVENT, new VmOutcome.SystemEvent(e.type()), left);
            case VmExit.InternalError e -> end(KvmApi.EXIT_INTERNAL_ERROR, internalError(e), left);
            case VmExit.Unhandled u -> end(u.reason(), new VmOutcome.UnhandledExit(KvmApi.exitName(u.reason())), left);
        }
    }

    private void end(int reason, VmOutcome outcome, long left) {
        counters.exit(reason, System.nanoTime() - left);
        control.stop(outcome);
    }

    private void handleIo(VmExit.Io io) {
        Bus.Range range = pio.find(io.port());
        int size = io.size();
        for (int i = 0; i < io.count(); i++) {
            long at = io.dataOffset() + (long) i * size;
            if (io.out()) {
                long value = load(at, size);
                if (range != null) range.device().write(io.port() - range.base(), size, value);
            } else {
                store(at, size, range != null ? range.device().read(io.port() - range.base(), size) : -1L);
            }
        }
        if (range == null) {
            counters.unclaimed++;
            unclaimed.port(io.port(), io.out(), size);
        }
    }

    private void handleMmio(VmExit.Mmio access) {
        Bus.Range range = mmio.find(access.address());
        int size = access.length();
        if (access.write()) {
            if (range != null) range.device().write(access.address() - range.base(), size, load(access.dataOffset(), size));
        } else {
            store(access.dataOffset(), size, range != null ? range.device().read(access.address() - range.base(), size) : -1L);
        }
        if (range == null) {
            counters.unclaimed++;
            unclaimed.mmio(access.address(), access.write(), size);
        }
    }

    /**
     * On AMD, KVM answers a shutdown by re-initialising the vCPU (RIP 0xfff0 in the reset code
     * segment); the faulting RIP is gone and the best left is the previous exit's.
     */
    private VmOutcome tripleFault() {
        long rip = vcpu.regs().rip();
        boolean reset = rip == 0xfff0 && vcpu.sregs().cs().base() == 0xffff0000L;
        if (reset && syncRegs) return new VmOutcome.TripleFault(previousRip, true);
        return new VmOutcome.TripleFault(rip, reset);
    }

    private VmOutcome internalError(VmExit.InternalError e) {
        long rip = vcpu.regs().rip();
        if (e.suberror() != KvmApi.INTERNAL_ERROR_EMULATION) {
            return new VmOutcome.InternalError(e.suberror(), KvmApi.internalErrorName(e.suberror()), e.data());
        }
        byte[] instruction = e.instruction();
        if (instruction.length == 0) instruction = instructionAt(rip);
        return new VmOutcome.EmulationFailure(e.suberror(), rip, instruction);
    }

    /** Up to 15 bytes at the guest's RIP, through its page tables; empty when they cannot be read. */
    private byte[] instructionAt(long rip) {
        long physical = vcpu.translate(rip);
        if (physical < 0) return new byte[0];
        int length = 15;
        while (length > 0 && !memory.contains(physical, length)) length--;
        return length == 0 ? new byte[0] : memory.read(physical, length);
    }

    /** Lets KVM finish an I/O instruction whose data the VMM just supplied, without running the guest on. */
    private void completePendingIo() {
        run.setImmediateExit(true);
        long entered = System.nanoTime();
        vcpu.run();
        // an interrupted KVM_RUN like any other: so a pause always shows, even when the kick found the thread outside KVM_RUN
        counters.exit(KvmApi.EXIT_INTR, System.nanoTime() - entered);
        acknowledgeKick();
    }

    private void acknowledgeKick() {
        Threads.consumePending(KICK_SIGNAL);
        run.setImmediateExit(false);
    }

    private long load(long at, int size) {
        return switch (size) {
            case 1 -> page.get(JAVA_BYTE, at) & 0xffL;
            case 2 -> page.get(JAVA_SHORT_UNALIGNED, at) & 0xffffL;
            case 4 -> page.get(JAVA_INT_UNALIGNED, at) & 0xffff_ffffL;
            default -> page.get(JAVA_LONG_UNALIGNED, at);
        };
    }

    private void store(long at, int size, long value) {
        switch (size) {
            case 1 -> page.set(JAVA_BYTE, at, (byte) value);
            case 2 -> page.set(JAVA_SHORT_UNALIGNED, at, (short) value);
            case 4 -> page.set(JAVA_INT_UNALIGNED, at, (int) value);
            default -> page.set(JAVA_LONG_UNALIGNED, at, value);
        }
    }
}
