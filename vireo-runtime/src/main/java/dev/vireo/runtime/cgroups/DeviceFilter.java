package dev.vireo.runtime.cgroups;

import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.spec.Resources;
import dev.vireo.sys.BpfPrograms;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.SysException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * Device rules for cgroup v2, which has no devices controller: an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE that sees each access as {@code struct bpf_cgroup_dev_ctx}
 * (access_type = access << 16 | type, major, minor) and returns 1 to allow it. As with the v1
 * list, the last rule that matches decides, and no match denies.
 */
final class DeviceFilter {
    private static final int DEV_BLOCK = 1, DEV_CHAR = 2, ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4;
    // eBPF opcodes (linux/bpf.h): class | op | source.
    private static final int LDX_W = 0x61, AND64_K = 0x57, RSH64_K = 0x77, MOV64_K = 0xb7, MOV64_X = 0xbf,
            JNE_K = 0x55, EXIT = 0x95;

    private DeviceFilter() {}

    static void attach(Path cgroup, List<Resources.DeviceRule> rules) {
        byte[] program = program(rules);
        try (Fd prog = BpfPrograms.load(BpfPrograms.PROG_TYPE_CGROUP_DEVICE, program, "Apache-2.0");
             Fd dir = FileIo.open(cgroup.toString(), FileIo.O_RDONLY | FileIo.O_DIRECTORY)) {
            BpfPrograms.attach(dir, prog, BpfPrograms.ATTACH_CGROUP_DEVICE, BpfPrograms.F_ALLOW_MULTI);
        } catch (SysException e) {
            throw new ContainerException("linux.resources.devices: cannot attach the device filter to " + cgroup + ": "
                    + e.getMessage());
        }
    }

    /** The program's instructions (struct bpf_insn[]). */
    static byte[] program(List<Resources.DeviceRule> rules) {
        Emitter e = new Emitter(8 + rules.size() * 9);
        e.insn(LDX_W, 2, 1, 0, 0);      // r2 = ctx->access_type
        e.insn(AND64_K, 2, 0, 0, 0xffff); // r2 = device type
        e.insn(LDX_W, 3, 1, 0, 0);
        e.insn(RSH64_K, 3, 0, 0, 16);   // r3 = access wanted
        e.insn(LDX_W, 4, 1, 4, 0);      // r4 = major
        e.insn(LDX_W, 5, 1, 8, 0);      // r5 = minor
        for (Resources.DeviceRule rule : rules.reversed()) {
            // A rule for every device decides every access: what follows could never run, and
            // the verifier refuses unreachable instructions.
            if (rule(e, rule)) return e.bytes();
        }
        e.insn(MOV64_K, 0, 0, 0, 0);
        e.insn(EXIT, 0, 0, 0, 0);
        return e.bytes();
    }

    /**
     * One rule: every test that fails jumps past the rule's return, to the next rule. Returns
     * whether the rule has no test at all (it matches every access).
     */
    private static boolean rule(Emitter e, Resources.DeviceRule r) {
        String type = r.type() == null ? "a" : r.type();
        int access = access(r.access());
        boolean anyMajor = type.equals("a") || r.major() == null || r.major() < 0;
        boolean anyMinor = type.equals("a") || r.minor() == null || r.minor() < 0;
        int tests = (type.equals("a") ? 0 : 1) + (access == 7 ? 0 : 3) + (anyMajor ? 0 : 1) + (anyMinor ? 0 : 1);
        // Instructions of the tests not yet emitted; a failed test jumps over them and the return.
        int remaining = tests;
        if (!type.equals("a")) {
            e.insn(JNE_K, 2, 0, remaining - 1 + 2, type.equals("b") ? DEV_BLOCK : DEV_CHAR);
            remaining--;
        }
        if (access != 7) {
            e.insn(MOV64_X, 0, 3, 0, 0);
            e.insn(AND64_K, 0, 0, 0, ~access & 7);
            e.insn(JNE_K, 0, 0, remaining - 3 + 2, 0);
            remaining -= 3;
        }
        if (!anyMajor) {
            e.insn(JNE_K, 4, 0, remaining - 1 + 2, r.major().intValue());
            remaining--;
        }
        if (!anyMinor) {
            e.insn(JNE_K, 5, 0, remaining - 1 + 2, r.minor().intValue());
            remaining--;
        }
        e.insn(MOV64_K, 0, 0, 0, Boolean.TRUE.equals(r.allow()) ? 1 : 0);
        e.insn(EXIT, 0, 0, 0, 0);
        return tests == 0;
    }

    private static int access(String text) {
        if (text == null || text.isEmpty()) return 7;
        int a = 0;
        for (char c : text.toCharArray()) a |= c == 'r' ? ACC_READ : c == 'w' ? ACC_WRITE : ACC_MKNOD;
        return a;
    }

    private static final class Emitter {
        private final ByteBuffer out;

        Emitter(int capacity) {
            out = ByteBuffer.allocate(capacity * 8).order(ByteOrder.LITTLE_ENDIAN);
        }

        void insn(int opcode, int dst, int src, int offset, int imm) {
            out.put((byte) opcode).put((byte) (src << 4 | dst)).putShort((short) offset).putInt(imm);
        }

        byte[] bytes() {
            byte[] b = new byte[out.position()];
            out.flip().get(b);
            return b;
        }
    }
}
