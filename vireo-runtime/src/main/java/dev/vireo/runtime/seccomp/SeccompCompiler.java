package dev.vireo.runtime.seccomp;

import dev.vireo.runtime.ConfigException;
import dev.vireo.runtime.spec.Json;
import dev.vireo.runtime.spec.SeccompSpec;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles {@code linux.seccomp} to a classic-BPF seccomp program, with libseccomp's semantics
 * where the runtime specification defers to it:
 * <ul>
 * <li>the filter checks {@code seccomp_data.arch} first; calls from an ABI the profile does not
 *     list get SECCOMP_RET_KILL_THREAD (libseccomp's default bad-architecture action);</li>
 * <li>each ABI's calls are found by binary search over its call numbers; names an ABI does not
 *     have are skipped for that ABI;</li>
 * <li>a rule's conditions must all hold (64-bit unsigned comparisons; 32-bit on i386), except
 *     that several conditions on one argument index make one rule each, as runc does; rules of
 *     one call are tried in the order written and the first that matches decides;</li>
 * <li>as runc does, a call numbered above every call the profile names gets ENOSYS unless the
 *     default action allows it, so that newer C libraries fall back to older calls.</li>
 * </ul>
 */
public final class SeccompCompiler {
    public static final long FLAG_TSYNC = 1, FLAG_LOG = 2, FLAG_SPEC_ALLOW = 4, FLAG_WAIT_KILLABLE_RECV = 32;

    private static final int RET_KILL_PROCESS = 0x80000000, RET_KILL_THREAD = 0, RET_TRAP = 0x00030000,
            RET_ERRNO = 0x00050000, RET_TRACE = 0x7ff00000, RET_LOG = 0x7ffc0000, RET_ALLOW = 0x7fff0000;
    private static final int EPERM = 1, ENOSYS = 38;
    private static final int OFFSET_NR = 0, OFFSET_ARCH = 4, OFFSET_ARGS = 16;
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final Set<String> FOREIGN_ARCHES = Set.of("SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",
            "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
            "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
            "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
            "SCMP_ARCH_SH", "SCMP_ARCH_SHEB");

    /** A compiled filter: the bytes of its sock_filter array and the flags for seccomp(2). */
    public record Program(byte[] bpf, long flags) {
        public int instructions() {
            return bpf.length / Bpf.INSTRUCTION_BYTES;
        }
    }

    private record Condition(int index, long value, long valueTwo, String op) {}

    private record Rule(int action, List<Condition> conditions) {}

    /** Changes whenever the compiler's output for a profile may change, so that old cached programs are not used. */
    private static final String COMPILER = "vireo-seccomp-1\n";

    /**
     * Compiled programs by {@link #key}, as crun caches its filters. By the profile's digest,
     * not the profile record: hashing that one goes through the generated hashCode of three
     * record types, each bootstrapped at its first call, which the AOT cache does not keep
     * (8 ms of a CLI's container start).
     */
    private static final Map<String, Program> CACHE = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Program> eldest) {
                    return size() > 32;
                }
            });

    private SeccompCompiler() {}

    /** The program for {@code spec}, compiled once per distinct profile in this JVM. */
    public static Program compile(SeccompSpec spec) {
        String key = key(spec);
        Program cached = CACHE.get(key);
        return cached != null ? cached : remember(key, build(spec));
    }

    /** The SHA-256 of the profile's JSON and this compiler's version, in hex: what names its program. */
    static String key(SeccompSpec spec) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(COMPILER.getBytes(StandardCharsets.UTF_8));
            sha.update(Json.compact(spec));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The program this JVM compiled or loaded for the profile {@code key} names, or null. */
    static Program cached(String key) {
        return CACHE.get(key);
    }

    static Program remember(String key, Program program) {
        CACHE.put(key, program);
        return program;
    }

    private static Program build(SeccompSpec spec) {
        String field = "linux.seccomp";
        int defaultAction = action(spec.defaultAction(), spec.defaultErrnoRet(), field + ".defaultAction",
                field + ".defaultErrnoRet");
        long flags = flags(spec.flags());
        if (spec.listenerPath() != null || "SCMP_ACT_NOTIFY".equals(spec.defaultAction())) {
            throw new ConfigException(field, "SCMP_ACT_NOTIFY (a listener socket) is not supported by this runtime");
        }
        List<Arch> arches = arches(spec.architectures());

        // Per ABI: call number -> its rules in order, and the highest number any rule names.
        Map<Arch, TreeMap<Integer, List<Rule>>> byArch = new LinkedHashMap<>();
        for (Arch a : arches) byArch.put(a, new TreeMap<>());
        List<SeccompSpec.Syscall> syscalls = spec.syscalls() == null ? List.of() : spec.syscalls();
        for (int i = 0; i < syscalls.size(); i++) {
            SeccompSpec.Syscall s = syscalls.get(i);
            String at = field + ".syscalls[" + i + "]";
            if (s.names() == null || s.names().isEmpty()) throw new ConfigException(at + ".names", "must name at least one call");
            if ("SCMP_ACT_NOTIFY".equals(s.action())) {
                throw new ConfigException(at + ".action", "SCMP_ACT_NOTIFY is not supported by this runtime");
            }
            int action = action(s.action(), s.errnoRet() == null ? null : s.errnoRet(), at + ".action", at + ".errnoRet");
            if (s.errnoRet() != null && !s.action().equals("SCMP_ACT_ERRNO") && !s.action().equals("SCMP_ACT_TRACE")) {
                throw new ConfigException(at + ".errnoRet", "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take a return value");
            }
            List<Rule> rules = rules(action, s.args(), at + ".args");
            for (String name : s.names()) {
                if (name == null || name.isEmpty()) throw new ConfigException(at + ".names", "an empty name");
                for (Arch a : arches) {
                    int nr = a.number(name);
                    if (nr >= 0) byArch.get(a).computeIfAbsent(nr, k -> new ArrayList<>()).addAll(rules);
                }
            }
        }

        Bpf bpf = new Bpf();
        Bpf.Label badArch = new Bpf.Label();
        Map<Arch, Bpf.Label> sections = new LinkedHashMap<>();
        bpf.load(OFFSET_ARCH);
        // x32 shares the x86-64 audit value: its calls are told apart by bit 30 of the number.
        for (Arch a : arches) {
            if (a == Arch.X32) continue;
            sections.put(a, new Bpf.Label());
            bpf.jumpIf(Bpf.JEQ, a.auditArch, sections.get(a), null);
        }
        bpf.jump(badArch);
        Bpf.Label x32 = arches.contains(Arch.X32) ? new Bpf.Label() : badArch;
        Map<Integer, Bpf.Label> returns = new LinkedHashMap<>();
        for (Map.Entry<Arch, Bpf.Label> section : sections.entrySet()) {
            Arch a = section.getKey();
            bpf.bind(section.getValue());
            bpf.load(OFFSET_NR);
            if (a == Arch.X86_64) bpf.jumpIf(Bpf.JGE, Arch.X32_SYSCALL_BIT, x32, null);
            dispatch(bpf, a, byArch.get(a), defaultAction, returns);
            if (a == Arch.X86_64 && x32 != badArch) {
                bpf.bind(x32);
                dispatch(bpf, Arch.X32, byArch.get(Arch.X32), defaultAction, returns);
            }
        }
        bpf.bind(badArch);
        bpf.ret(RET_KILL_THREAD);
        for (Map.Entry<Integer, Bpf.Label> r : returns.entrySet()) {
            bpf.bind(r.getValue());
            bpf.ret(r.getKey());
        }
        List<Bpf.Instruction> program = bpf.assemble();
        if (program.size() > 4096) {
            throw new ConfigException(field, "the filter compiles to " + program.size()
                    + " BPF instructions, more than the kernel's 4096");
        }
        return new Program(Bpf.encode(program), flags);
    }

    /** The search over one ABI's call numbers; the accumulator holds nr at every point. */
    private static void dispatch(Bpf bpf, Arch arch, TreeMap<Integer, List<Rule>> calls, int defaultAction,
                                 Map<Integer, Bpf.Label> returns) {
        Bpf.Label fallback = returns.computeIfAbsent(defaultAction, k -> new Bpf.Label());
        if (defaultAction != RET_ALLOW && defaultAction != RET_LOG && !calls.isEmpty()) {
            bpf.jumpIf(Bpf.JGT, calls.lastKey(), returns.computeIfAbsent(RET_ERRNO | ENOSYS, k -> new Bpf.Label()), null);
        }
        List<Integer> numbers = new ArrayList<>(calls.keySet());
        List<Bpf.Label> targets = new ArrayList<>();
        Map<Integer, List<Rule>> conditional = new LinkedHashMap<>();
        Map<Integer, Bpf.Label> blocks = new LinkedHashMap<>();
        for (int nr : numbers) {
            List<Rule> rules = calls.get(nr);
            if (rules.getFirst().conditions().isEmpty()) {
                targets.add(returns.computeIfAbsent(rules.getFirst().action(), k -> new Bpf.Label()));
            } else {
                Bpf.Label block = new Bpf.Label();
                blocks.put(nr, block);
                conditional.put(nr, rules);
                targets.add(block);
            }
        }
        tree(bpf, numbers, targets, 0, numbers.size(), fallback);
        for (Map.Entry<Integer, List<Rule>> e : conditional.entrySet()) {
            bpf.bind(blocks.get(e.getKey()));
            for (Rule rule : e.getValue()) {
                if (rule.conditions().isEmpty()) {
                    bpf.jump(returns.computeIfAbsent(rule.action(), k -> new Bpf.Label()));
                    break;
                }
                Bpf.Label next = new Bpf.Label();
                for (Condition c : rule.conditions()) condition(bpf, c, arch.is64Bit(), next);
                bpf.jump(returns.computeIfAbsent(rule.action(), k -> new Bpf.Label()));
                bpf.bind(next);
            }
            bpf.jump(fallback);
        }
    }

    private static void tree(Bpf bpf, List<Integer> numbers, List<Bpf.Label> targets, int from, int to, Bpf.Label fallback) {
        if (to - from <= 4) {
            for (int i = from; i < to; i++) bpf.jumpIf(Bpf.JEQ, numbers.get(i), targets.get(i), null);
            bpf.jump(fallback);
            return;
        }
        int mid = (from + to) >>> 1;
        Bpf.Label upper = new Bpf.Label();
        bpf.jumpIf(Bpf.JGE, numbers.get(mid), upper, null);
        tree(bpf, numbers, targets, from, mid, fallback);
        bpf.bind(upper);
        tree(bpf, numbers, targets, mid, to, fallback);
    }

    /** Falls through when the condition holds, jumps to {@code fail} when it does not. */
    private static void condition(Bpf bpf, Condition c, boolean wide, Bpf.Label fail) {
        int lo = OFFSET_ARGS + 8 * c.index(), hi = lo + 4;
        int vlo = (int) c.value(), vhi = (int) (c.value() >>> 32);
        Bpf.Label ok = new Bpf.Label();
        switch (c.op()) {
            case "SCMP_CMP_EQ" -> {
                if (wide) {
                    bpf.load(hi);
                    bpf.jumpIf(Bpf.JEQ, vhi, null, fail);
                }
                bpf.load(lo);
                bpf.jumpIf(Bpf.JEQ, vlo, null, fail);
            }
            case "SCMP_CMP_NE" -> {
                if (wide) {
                    bpf.load(hi);
                    bpf.jumpIf(Bpf.JEQ, vhi, null, ok);
                }
                bpf.load(lo);
                bpf.jumpIf(Bpf.JEQ, vlo, fail, null);
            }
            case "SCMP_CMP_GT", "SCMP_CMP_GE" -> {
                if (wide) {
                    bpf.load(hi);
                    bpf.jumpIf(Bpf.JGT, vhi, ok, null);
                    bpf.jumpIf(Bpf.JEQ, vhi, null, fail);
                }
                bpf.load(lo);
                bpf.jumpIf(c.op().equals("SCMP_CMP_GT") ? Bpf.JGT : Bpf.JGE, vlo, null, fail);
            }
            case "SCMP_CMP_LT", "SCMP_CMP_LE" -> {
                if (wide) {
                    bpf.load(hi);
                    bpf.jumpIf(Bpf.JGT, vhi, fail, null);
                    bpf.jumpIf(Bpf.JEQ, vhi, null, ok);
                }
                bpf.load(lo);
                bpf.jumpIf(c.op().equals("SCMP_CMP_LT") ? Bpf.JGE : Bpf.JGT, vlo, fail, null);
            }
            case "SCMP_CMP_MASKED_EQ" -> {
                int tlo = (int) c.valueTwo(), thi = (int) (c.valueTwo() >>> 32);
                if (wide) {
                    bpf.load(hi);
                    bpf.and(vhi);
                    bpf.jumpIf(Bpf.JEQ, thi, null, fail);
                }
                bpf.load(lo);
                bpf.and(vlo);
                bpf.jumpIf(Bpf.JEQ, tlo, null, fail);
            }
            default -> throw new IllegalStateException(c.op());
        }
        bpf.bind(ok);
    }

    private static List<Rule> rules(int action, List<SeccompSpec.Arg> args, String field) {
        if (args == null || args.isEmpty()) return List.of(new Rule(action, List.of()));
        List<Condition> conditions = new ArrayList<>();
        Set<Integer> indices = new LinkedHashSet<>();
        boolean repeated = false;
        for (int i = 0; i < args.size(); i++) {
            SeccompSpec.Arg a = args.get(i);
            String at = field + "[" + i + "]";
            if (a.index() == null || a.index() < 0 || a.index() > 5) throw new ConfigException(at + ".index", "must be 0 to 5");
            if (a.op() == null || !a.op().matches("SCMP_CMP_(NE|LT|LE|EQ|GE|GT|MASKED_EQ)")) {
                throw new ConfigException(at + ".op", "unknown comparison " + a.op());
            }
            long value = unsigned(a.value(), at + ".value");
            long valueTwo = a.valueTwo() == null ? 0 : unsigned(a.valueTwo(), at + ".valueTwo");
            repeated |= !indices.add(a.index());
            conditions.add(new Condition(a.index(), value, valueTwo, a.op()));
        }
        if (!repeated) return List.of(new Rule(action, conditions));
        return conditions.stream().map(c -> new Rule(action, List.of(c))).toList();
    }

    private static long unsigned(BigInteger value, String field) {
        if (value == null) throw new ConfigException(field, "missing");
        if (value.signum() < 0 || value.compareTo(U64_MAX) > 0) throw new ConfigException(field, "must be an unsigned 64-bit number");
        return value.longValue();
    }

    private static int action(String name, Integer errno, String field, String errnoField) {
        if (name == null) throw new ConfigException(field, "missing");
        if (errno != null && (errno < 0 || errno > 0xffff)) throw new ConfigException(errnoField, "must be 0 to 65535");
        return switch (name) {
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> RET_KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> RET_KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> RET_TRAP;
            case "SCMP_ACT_ERRNO" -> RET_ERRNO | (errno == null ? EPERM : errno);
            case "SCMP_ACT_TRACE" -> RET_TRACE | (errno == null ? EPERM : errno);
            case "SCMP_ACT_ALLOW" -> RET_ALLOW;
            case "SCMP_ACT_LOG" -> RET_LOG;
            default -> throw new ConfigException(field, "unknown action " + name);
        };
    }

    private static long flags(List<String> names) {
        long flags = 0;
        if (names == null) return 0;
        for (String name : names) {
            flags |= switch (name == null ? "" : name) {
                case "SECCOMP_FILTER_FLAG_TSYNC" -> FLAG_TSYNC;
                case "SECCOMP_FILTER_FLAG_LOG" -> FLAG_LOG;
                case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> FLAG_SPEC_ALLOW;
                case "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" -> FLAG_WAIT_KILLABLE_RECV;
                default -> throw new ConfigException("linux.seccomp.flags", "unknown flag " + name);
            };
        }
        return flags;
    }

    /** The ABIs to filter: the native one always (as libseccomp does), then those listed. */
    private static List<Arch> arches(List<String> names) {
        Set<Arch> arches = new LinkedHashSet<>();
        arches.add(Arch.X86_64);
        if (names != null) {
            for (String name : names) {
                Arch a = Arch.byName(name);
                if (a != null) arches.add(a);
                else if (!FOREIGN_ARCHES.contains(name)) throw new ConfigException("linux.seccomp.architectures", "unknown architecture " + name);
            }
        }
        return List.copyOf(arches);
    }
}
