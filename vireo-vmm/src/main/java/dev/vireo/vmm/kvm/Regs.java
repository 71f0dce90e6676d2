package dev.vireo.vmm.kvm;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct kvm_regs}: the general-purpose registers, RIP and RFLAGS (144 bytes). */
public record Regs(long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rsp, long rbp,
                   long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
                   long rip, long rflags) {
    public static final long SIZE = 144;

    /** Registers for a CPU about to start at {@code rip} with stack {@code rsp} and first argument {@code rdi}. */
    public static Regs start(long rip, long rsp, long rdi) {
        return new Regs(0, 0, 0, 0, 0, rdi, rsp, 0, 0, 0, 0, 0, 0, 0, 0, 0, rip, 0x2);
    }

    /** The structure as KVM lays it out, for state files. */
    public byte[] toBytes() {
        return Structs.bytes(SIZE, this::write);
    }

    /** The structure from its {@link #toBytes()} form; a wrong length is an IllegalArgumentException. */
    public static Regs fromBytes(byte[] bytes) {
        return Structs.parse(bytes, SIZE, "kvm_regs", Regs::read);
    }

    static Regs read(MemorySegment s) {
        long[] v = new long[18];
        for (int i = 0; i < 18; i++) v[i] = s.get(JAVA_LONG, i * 8L);
        return new Regs(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12],
                v[13], v[14], v[15], v[16], v[17]);
    }

    void write(MemorySegment s) {
        long[] v = {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
        for (int i = 0; i < 18; i++) s.set(JAVA_LONG, i * 8L, v[i]);
    }
}
