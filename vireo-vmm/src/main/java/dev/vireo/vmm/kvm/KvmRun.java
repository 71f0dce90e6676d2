package dev.vireo.vmm.kvm;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The {@code struct kvm_run} page a vCPU shares with KVM, read and written in place at the
 * offsets of Linux 6.1's header. After KVM_RUN returns, {@link #exitReason()} says which member
 * of the exit union is valid.
 */
public final class KvmRun {
    private static final long IMMEDIATE_EXIT = 1, EXIT_REASON = 8, UNION = 32;
    private static final long VALID_REGS = 288, SYNC_REGS = 304, SYNC_X86_REGS = 1;

    private final MemorySegment page;

    KvmRun(MemorySegment page) {
        this.page = page;
    }

    /** The whole mapped page (the I/O data area lies inside it, at {@link #ioDataOffset()}). */
    public MemorySegment page() {
        return page;
    }

    public int exitReason() {
        return page.get(JAVA_INT, EXIT_REASON);
    }

    /** Setting 1 makes the next KVM_RUN return EINTR at once, after completing pending I/O. */
    public void setImmediateExit(boolean exit) {
        page.set(JAVA_BYTE, IMMEDIATE_EXIT, (byte) (exit ? 1 : 0));
    }

    /**
     * Asks KVM to copy the general registers into this page on every exit (KVM_CAP_SYNC_REGS),
     * so the RIP of each exit can be read without a KVM_GET_REGS call.
     */
    public void enableRegisterSync() {
        page.set(JAVA_LONG, VALID_REGS, SYNC_X86_REGS);
    }

    /** The RIP KVM synced at the last exit (after {@link #enableRegisterSync()}). */
    public long syncedRip() {
        return page.get(JAVA_LONG, SYNC_REGS + 16 * 8);
    }

    // KVM_EXIT_IO
    public boolean ioIsOut() {
        return page.get(JAVA_BYTE, UNION) == 1;
    }

    public int ioSize() {
        return page.get(JAVA_BYTE, UNION + 1);
    }

    public int ioPort() {
        return Short.toUnsignedInt(page.get(JAVA_SHORT, UNION + 2));
    }

    public int ioCount() {
        return page.get(JAVA_INT, UNION + 4);
    }

    public long ioDataOffset() {
        return page.get(JAVA_LONG, UNION + 8);
    }

    // KVM_EXIT_MMIO
    public long mmioAddress() {
        return page.get(JAVA_LONG, UNION);
    }

    public long mmioDataOffset() {
        return UNION + 8;
    }

    public int mmioLength() {
        return page.get(JAVA_INT, UNION + 16);
    }

    public boolean mmioIsWrite() {
        return page.get(JAVA_BYTE, UNION + 20) != 0;
    }

    // KVM_EXIT_FAIL_ENTRY
    public long failEntryReason() {
        return page.get(JAVA_LONG, UNION);
    }

    public int failEntryCpu() {
        return page.get(JAVA_INT, UNION + 8);
    }

    // KVM_EXIT_EXCEPTION
    public int exceptionVector() {
        return page.get(JAVA_INT, UNION);
    }

    public int exceptionErrorCode() {
        return page.get(JAVA_INT, UNION + 4);
    }

    // KVM_EXIT_INTERNAL_ERROR (and its emulation-failure form)
    public int internalSuberror() {
        return page.get(JAVA_INT, UNION);
    }

    /** The {@code data} words KVM reported (at most 16). */
    public long[] internalData() {
        int n = Math.min(16, Math.max(0, page.get(JAVA_INT, UNION + 4)));
        long[] data = new long[n];
        for (int i = 0; i < n; i++) data[i] = page.get(JAVA_LONG, UNION + 8 + i * 8L);
        return data;
    }

    /** For an emulation failure that carries them: the bytes of the instruction KVM could not emulate. */
    public byte[] emulationInstructionBytes() {
        if (page.get(JAVA_INT, UNION + 4) < 2) return new byte[0];
        long flags = page.get(JAVA_LONG, UNION + 8);
        if ((flags & KvmApi.INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) == 0) return new byte[0];
        int size = Math.min(15, page.get(JAVA_BYTE, UNION + 16) & 0xff);
        return page.asSlice(UNION + 17, size).toArray(JAVA_BYTE);
    }

    // KVM_EXIT_SYSTEM_EVENT
    public int systemEventType() {
        return page.get(JAVA_INT, UNION);
    }

    // KVM_EXIT_HYPERCALL
    public long hypercallNumber() {
        return page.get(JAVA_LONG, UNION);
    }
}
