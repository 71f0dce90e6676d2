package dev.vireo.runtime.seccomp;

import dev.vireo.runtime.ConfigException;
import dev.vireo.runtime.spec.CapabilityNames;
import dev.vireo.runtime.spec.SeccompSpec;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeccompCompilerTest {
    static final int X86_64 = 0xC000003E, I386 = 0x40000003, AARCH64 = 0xC00000B7;
    static final int ALLOW = 0x7fff0000, ERRNO = 0x00050000, KILL_THREAD = 0, KILL_PROCESS = 0x80000000, TRAP = 0x00030000;
    static final int EPERM = 1, EACCES = 13, ENOSYS = 38;

    private static byte[] dockerDefault() {
        return SeccompCompiler.compile(DefaultProfile.forCapabilities(new LinkedHashSet<>(CapabilityNames.DOCKER_DEFAULT))).bpf();
    }

    private static int nr(String name) {
        return Arch.X86_64.number(name);
    }

    @Test
    void defaultProfileAllowsOrdinaryCallsAndRefusesPrivilegedOnesWithEperm() {
        byte[] p = dockerDefault();
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("read")));
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("execve")));
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("chroot")), "CAP_SYS_CHROOT is a default capability");
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("mount")));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("unshare")));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("init_module")));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("iopl")));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("keyctl")));
    }

    @Test
    void defaultProfileAllowsCloneOnlyWithoutNamespaceFlagsAndAnswersClone3WithEnosys() {
        byte[] p = dockerDefault();
        long sigchld = 17;
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("clone"), sigchld));
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("clone"), 0x3d0f00L), "the flags of pthread_create");
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("clone"), sigchld | 0x20000000L), "CLONE_NEWPID");
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("clone"), 0x10000000L), "CLONE_NEWUSER");
        assertEquals(ERRNO | ENOSYS, BpfInterpreter.run(p, X86_64, nr("clone3")));
    }

    @Test
    void defaultProfileChecksArgumentsOfSocketAndPersonality() {
        byte[] p = dockerDefault();
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("socket"), 2));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("socket"), 40), "AF_VSOCK");
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("personality"), 0));
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("personality"), 0xffffffffL));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("personality"), 0x0040000L), "ADDR_NO_RANDOMIZE");
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("personality"), 0x1_0000_0000L), "high bits count");
    }

    @Test
    void otherAbisUseTheirOwnNumbersAndUnlistedOnesAreKilled() {
        byte[] p = dockerDefault();
        int i386Socketcall = Arch.X86.number("socketcall");
        assertEquals(ALLOW, BpfInterpreter.run(p, I386, i386Socketcall));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, I386, Arch.X86.number("mount")));
        // i386's 21 is mount; on x86-64, 21 is access, which is allowed.
        assertEquals(21, Arch.X86.number("mount"));
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, 21));
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, Arch.X32.number("read")));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, Arch.X32.number("mount")));
        assertEquals(KILL_THREAD, BpfInterpreter.run(p, AARCH64, 63));
    }

    @Test
    void callsNewerThanTheProfileGetEnosysSoThatLibrariesFallBack() {
        byte[] p = dockerDefault();
        assertEquals(ERRNO | ENOSYS, BpfInterpreter.run(p, X86_64, nr("fchmodat2")));
        assertEquals(ERRNO | ENOSYS, BpfInterpreter.run(p, X86_64, 1000));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("keyctl")), "an old call the profile omits stays EPERM");
    }

    @Test
    void x32CallsAreBadArchitectureWhenOnlyX86_64IsListed() {
        SeccompSpec spec = new SeccompSpec("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_X86_64"), null, null, null, List.of());
        byte[] p = SeccompCompiler.compile(spec).bpf();
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("read")));
        assertEquals(KILL_THREAD, BpfInterpreter.run(p, X86_64, Arch.X32.number("read")));
        assertEquals(KILL_THREAD, BpfInterpreter.run(p, I386, 3));
    }

    private static SeccompSpec.Arg arg(int index, long value, String op) {
        return new SeccompSpec.Arg(index, new BigInteger(Long.toUnsignedString(value)), null, op);
    }

    @Test
    void comparisonsAreUnsigned64Bit() {
        long big = 0x1_0000_0005L;
        for (String op : List.of("SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_GT", "SCMP_CMP_GE")) {
            SeccompSpec spec = new SeccompSpec("SCMP_ACT_ALLOW", null, null, null, null, null,
                    List.of(new SeccompSpec.Syscall(List.of("write"), "SCMP_ACT_ERRNO", EACCES, List.of(arg(2, big, op)))));
            byte[] p = SeccompCompiler.compile(spec).bpf();
            for (long v : new long[] {0, 5, big - 1, big, big + 1, 0x2_0000_0000L, -1L}) {
                boolean holds = switch (op) {
                    case "SCMP_CMP_EQ" -> v == big;
                    case "SCMP_CMP_NE" -> v != big;
                    case "SCMP_CMP_LT" -> Long.compareUnsigned(v, big) < 0;
                    case "SCMP_CMP_LE" -> Long.compareUnsigned(v, big) <= 0;
                    case "SCMP_CMP_GT" -> Long.compareUnsigned(v, big) > 0;
                    default -> Long.compareUnsigned(v, big) >= 0;
                };
                assertEquals(holds ? ERRNO | EACCES : ALLOW, BpfInterpreter.run(p, X86_64, nr("write"), 0, 0, v),
                        op + " " + Long.toHexString(v));
            }
        }
    }

    @Test
    void maskedEqualityComparesTheMaskedValue() {
        SeccompSpec.Arg masked = new SeccompSpec.Arg(1, BigInteger.valueOf(0xff00), BigInteger.valueOf(0x1200), "SCMP_CMP_MASKED_EQ");
        SeccompSpec spec = new SeccompSpec("SCMP_ACT_ERRNO", null, null, null, null, null,
                List.of(new SeccompSpec.Syscall(List.of("ioctl"), "SCMP_ACT_ALLOW", null, List.of(masked))));
        byte[] p = SeccompCompiler.compile(spec).bpf();
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("ioctl"), 0, 0x12ab));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("ioctl"), 0, 0x13ab));
    }

    @Test
    void conditionsOfOneRuleMustAllHoldButRepeatedIndicesMakeAlternatives() {
        SeccompSpec both = new SeccompSpec("SCMP_ACT_ALLOW", null, null, null, null, null, List.of(
                new SeccompSpec.Syscall(List.of("kill"), "SCMP_ACT_KILL_PROCESS", null,
                        List.of(arg(0, 1, "SCMP_CMP_EQ"), arg(1, 9, "SCMP_CMP_EQ")))));
        byte[] p = SeccompCompiler.compile(both).bpf();
        assertEquals(KILL_PROCESS, BpfInterpreter.run(p, X86_64, nr("kill"), 1, 9));
        assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr("kill"), 1, 15));
        SeccompSpec either = new SeccompSpec("SCMP_ACT_ALLOW", null, null, null, null, null, List.of(
                new SeccompSpec.Syscall(List.of("kill"), "SCMP_ACT_TRAP", null,
                        List.of(arg(1, 9, "SCMP_CMP_EQ"), arg(1, 15, "SCMP_CMP_EQ")))));
        byte[] q = SeccompCompiler.compile(either).bpf();
        assertEquals(TRAP, BpfInterpreter.run(q, X86_64, nr("kill"), 1, 9));
        assertEquals(TRAP, BpfInterpreter.run(q, X86_64, nr("kill"), 1, 15));
        assertEquals(ALLOW, BpfInterpreter.run(q, X86_64, nr("kill"), 1, 2));
    }

    @Test
    void defaultErrnoRetAppliesToTheDefaultActionAndRuleErrnoToTheRule() {
        SeccompSpec spec = new SeccompSpec("SCMP_ACT_ERRNO", 95, null, null, null, null, List.of(
                new SeccompSpec.Syscall(List.of("read"), "SCMP_ACT_ALLOW", null, null),
                new SeccompSpec.Syscall(List.of("mkdir"), "SCMP_ACT_ERRNO", null, null)));
        byte[] p = SeccompCompiler.compile(spec).bpf();
        assertEquals(ERRNO | 95, BpfInterpreter.run(p, X86_64, nr("getpid")));
        assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr("mkdir")));
    }

    @Test
    void farJumpsStillLandWhereTheyShould() {
        // Hundreds of conditional rules push the shared return instructions beyond 255.
        List<SeccompSpec.Syscall> rules = new ArrayList<>();
        List<String> names = new ArrayList<>(Arch.X86_64.table().keySet());
        names.sort(null);
        for (String name : names.subList(0, 300)) {
            rules.add(new SeccompSpec.Syscall(List.of(name), "SCMP_ACT_ALLOW", null, List.of(arg(0, 7, "SCMP_CMP_EQ"))));
        }
        byte[] p = SeccompCompiler.compile(new SeccompSpec("SCMP_ACT_ERRNO", null, null, null, null, null, rules)).bpf();
        assertTrue(p.length / 8 > 1000, "the program should be long: " + p.length / 8);
        for (String name : names.subList(0, 300)) {
            assertEquals(ALLOW, BpfInterpreter.run(p, X86_64, nr(name), 7), name);
            assertEquals(ERRNO | EPERM, BpfInterpreter.run(p, X86_64, nr(name), 8), name);
        }
    }

    @Test
    void badProfilesAreRefusedNamingTheField() {
        assertEquals("linux.seccomp.syscalls[0].action: unknown action SCMP_ACT_FROB", assertThrows(ConfigException.class,
                () -> SeccompCompiler.compile(new SeccompSpec("SCMP_ACT_ALLOW", null, null, null, null, null,
                        List.of(new SeccompSpec.Syscall(List.of("read"), "SCMP_ACT_FROB", null, null))))).getMessage());
        assertEquals("linux.seccomp.syscalls[0].args[0].index: must be 0 to 5", assertThrows(ConfigException.class,
                () -> SeccompCompiler.compile(new SeccompSpec("SCMP_ACT_ALLOW", null, null, null, null, null,
                        List.of(new SeccompSpec.Syscall(List.of("read"), "SCMP_ACT_ERRNO", null,
                                List.of(arg(6, 1, "SCMP_CMP_EQ"))))))).getMessage());
        assertEquals("linux.seccomp.architectures: unknown architecture SCMP_ARCH_Z80", assertThrows(ConfigException.class,
                () -> SeccompCompiler.compile(new SeccompSpec("SCMP_ACT_ALLOW", null, List.of("SCMP_ARCH_Z80"), null, null,
                        null, null))).getMessage());
        assertEquals("linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value",
                assertThrows(ConfigException.class, () -> SeccompCompiler.compile(new SeccompSpec("SCMP_ACT_ALLOW", null,
                        null, null, null, null, List.of(new SeccompSpec.Syscall(List.of("read"), "SCMP_ACT_KILL", 1, null)))))
                        .getMessage());
    }
}
