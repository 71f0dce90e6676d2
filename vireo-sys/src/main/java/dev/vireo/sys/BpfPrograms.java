package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * bpf(2) for the one use the container runtime has: loading an eBPF program and attaching it
 * to a cgroup v2 directory, which is how v2 controls device access (BPF_CGROUP_DEVICE).
 */
public final class BpfPrograms {
    public static final int PROG_TYPE_CGROUP_DEVICE = 15, ATTACH_CGROUP_DEVICE = 6, F_ALLOW_MULTI = 2;
    private static final int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8;
    private static final long SYS_BPF = 321, ATTR_BYTES = 128, LOG_BYTES = 16384;

    private static final Downcall BPF = Downcall.of("syscall");

    private BpfPrograms() {}

    /**
     * Loads {@code instructions} (struct bpf_insn[], 8 bytes each) as a program of {@code type};
     * a program the verifier rejects fails with the verifier's log in the message.
     */
    public static Fd load(int type, byte[] instructions, String license) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocateFrom(JAVA_BYTE, instructions);
            MemorySegment log = arena.allocate(LOG_BYTES);
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, type);
            attr.set(JAVA_INT, 4, instructions.length / 8);
            attr.set(JAVA_LONG, 8, insns.address());
            attr.set(JAVA_LONG, 16, arena.allocateFrom(license).address());
            attr.set(JAVA_INT, 24, 1);
            attr.set(JAVA_INT, 28, (int) LOG_BYTES);
            attr.set(JAVA_LONG, 32, log.address());
            MemorySegment state = Native.errnoState();
            long fd = BPF.call(SYS_BPF, BPF_PROG_LOAD, attr.address(), (int) ATTR_BYTES);
            if (fd < 0) {
                String verifier = log.getString(0, StandardCharsets.UTF_8).strip().replace('\n', ' ');
                throw new SysException("bpf(BPF_PROG_LOAD" + (verifier.isEmpty() ? "" : ": " + verifier) + ")",
                        Native.errno(state));
            }
            return Fd.own((int) fd);
        }
    }

    /** Attaches {@code program} to the cgroup directory open on {@code cgroup}. */
    public static void attach(Fd cgroup, Fd program, int attachType, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 8);
            attr.set(JAVA_INT, 0, cgroup.value());
            attr.set(JAVA_INT, 4, program.value());
            attr.set(JAVA_INT, 8, attachType);
            attr.set(JAVA_INT, 12, flags);
            MemorySegment state = Native.errnoState();
            long r = BPF.call(SYS_BPF, BPF_PROG_ATTACH, attr.address(), (int) ATTR_BYTES);
            if (r < 0) throw Native.failure("bpf(BPF_PROG_ATTACH)", state);
        }
    }
}
