package dev.vireo.runtime.linux;

import dev.vireo.runtime.ConfigException;
import dev.vireo.runtime.cgroups.Cgroup;
import dev.vireo.runtime.seccomp.SeccompCompiler;
import dev.vireo.runtime.spec.CapabilityNames;
import dev.vireo.runtime.spec.ConfigValidator;
import dev.vireo.runtime.spec.HostFacts;
import dev.vireo.runtime.spec.LinuxSpec;
import dev.vireo.runtime.spec.MountOptions;
import dev.vireo.runtime.spec.ProcessScheduling;
import dev.vireo.runtime.spec.ProcessSpec;
import dev.vireo.runtime.spec.Spec;
import dev.vireo.sys.Namespaces;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a validated config into the plan vireo-init carries out: which namespaces to create
 * or join, what to mount, and how the process is to be made. Every decision is taken here.
 */
public final class Planner {
    /** Namespace types of the specification, their clone flags and their names under /proc/PID/ns. */
    private static final Map<String, Integer> FLAGS = Map.of("pid", Namespaces.CLONE_NEWPID,
            "network", Namespaces.CLONE_NEWNET, "mount", Namespaces.CLONE_NEWNS, "ipc", Namespaces.CLONE_NEWIPC,
            "uts", Namespaces.CLONE_NEWUTS, "user", Namespaces.CLONE_NEWUSER, "cgroup", Namespaces.CLONE_NEWCGROUP,
            "time", Namespaces.CLONE_NEWTIME);
    private static final Map<String, String> PROC_NAMES = Map.of("pid", "pid", "network", "net", "mount", "mnt",
            "ipc", "ipc", "uts", "uts", "user", "user", "cgroup", "cgroup", "time", "time");
    private static final int PER_LINUX32 = 0x0008;

    /** What the JVM needs besides the plan's bytes: the ID maps it writes for a new user namespace. */
    public record Plan(byte[] bytes, String uidMap, String gidMap, boolean runtimeHooks) {}

    private Planner() {}

    public static Plan create(Spec spec, Path bundle, Path stateDir, Cgroup cgroup, HostFacts host,
                              SeccompCompiler.Program seccomp, String consoleSocket, int preserveFds, boolean noPivot) {
        PlanWriter w = new PlanWriter().mode(PlanWriter.MODE_CREATE);
        LinuxSpec linux = spec.linux();
        List<LinuxSpec.Namespace> namespaces = linux == null || linux.namespaces() == null ? List.of() : linux.namespaces();
        long created = 0;
        for (LinuxSpec.Namespace n : namespaces) {
            int flag = FLAGS.get(n.type());
            if (n.path() == null) created |= flag;
            else if (!sameAsOurs(n.path(), PROC_NAMES.get(n.type()))) w.joinNamespace(flag, n.path());
        }
        boolean newUser = (created & Namespaces.CLONE_NEWUSER) != 0;
        w.newNamespaces(created);
        if ((created & Namespaces.CLONE_NEWNET) != 0) w.loopback();
        if (linux != null && linux.timeOffsets() != null) {
            LinuxSpec.TimeOffset mono = linux.timeOffsets().get("monotonic"), boot = linux.timeOffsets().get("boottime");
            w.timeOffsets(seconds(mono), nanos(mono), seconds(boot), nanos(boot));
        }
        for (String problem : RootfsPlanner.hostDeviceProblems(spec, newUser)) throw new ConfigException("linux.devices", problem);

        Path rootfs = realPath(bundle.resolve(spec.root().path()));
        w.rootfs(rootfs.toString());
        if (linux != null && linux.rootfsPropagation() != null) {
            w.rootfsPropagation(MountOptions.PROPAGATION.get(linux.rootfsPropagation()));
        }
        if (Boolean.TRUE.equals(spec.root().readonly())) w.rootReadonly();
        if (noPivot) w.noPivot();
        RootfsPlanner.plan(w, spec, bundle, cgroup, newUser, (created & Namespaces.CLONE_NEWNET) != 0,
                (created & Namespaces.CLONE_NEWCGROUP) != 0);
        RootfsPlanner.paths(w, linux);
        if (spec.hostname() != null) w.hostname(spec.hostname());
        if (spec.domainname() != null) w.domainname(spec.domainname());
        if (linux != null && linux.personality() != null) {
            w.personality(linux.personality().domain().equals("LINUX32") ? PER_LINUX32 : 0);
        }

        String uidMap = newUser ? idMap(linux.uidMappings()) : null, gidMap = newUser ? idMap(linux.gidMappings()) : null;
        long rootUid = newUser ? hostId(linux.uidMappings(), 0) : 0, rootGid = newUser ? hostId(linux.gidMappings(), 0) : 0;
        w.execFifo(stateDir.resolve("exec.fifo").toString(), rootUid, rootGid);

        Spec.Hooks hooks = spec.hooks();
        boolean runtimeHooks = hooks != null && (notEmpty(hooks.prestart()) || notEmpty(hooks.createRuntime()));
        if (runtimeHooks) w.runtimeHooks();
        if (hooks != null) {
            containerHooks(w, PlanWriter.HOOK_CREATE_CONTAINER, hooks.createContainer());
            containerHooks(w, PlanWriter.HOOK_START_CONTAINER, hooks.startContainer());
        }
        process(w, spec.process(), seccomp, host, consoleSocket, preserveFds);
        return new Plan(w.toBytes(), uidMap, gidMap, runtimeHooks);
    }

    /**
     * A plan that runs {@code process} inside a running container: it joins every namespace
     * the container has that this runtime does not share, through the container's init.
     */
    public static Plan exec(Spec spec, int initPid, ProcessSpec process, HostFacts host,
                            SeccompCompiler.Program seccomp, String consoleSocket, int preserveFds) {
        PlanWriter w = new PlanWriter().mode(PlanWriter.MODE_EXEC);
        LinuxSpec linux = spec.linux();
        if (linux != null && linux.namespaces() != null) {
            for (LinuxSpec.Namespace n : linux.namespaces()) {
                String proc = PROC_NAMES.get(n.type());
                String path = "/proc/" + initPid + "/ns/" + proc;
                if (!sameAsOurs(path, proc)) w.joinNamespace(FLAGS.get(n.type()), path);
            }
        }
        w.newNamespaces(0);
        process(w, process, seccomp, host, consoleSocket, preserveFds);
        return new Plan(w.toBytes(), null, null, false);
    }

    private static void process(PlanWriter w, ProcessSpec p, SeccompCompiler.Program seccomp, HostFacts host,
                                String consoleSocket, int preserveFds) {
        if (p.oomScoreAdj() != null) w.oomScoreAdj(p.oomScoreAdj());
        if (p.rlimits() != null) {
            for (ProcessSpec.Rlimit r : p.rlimits()) {
                w.rlimit(ConfigValidator.rlimitNumber(r.type()), unsigned(r.soft()), unsigned(r.hard()));
            }
        }
        long effective = -1;
        if (p.capabilities() != null) {
            ProcessSpec.Capabilities c = p.capabilities();
            long grantable = host.boundingCapabilities();
            effective = mask(c.effective()) & grantable;
            w.capabilities(mask(c.bounding()) & grantable, effective, mask(c.permitted()) & grantable,
                    mask(c.inheritable()) & grantable, mask(c.ambient()) & grantable);
        }
        ProcessSpec.User u = p.user();
        if (u != null) {
            List<Long> groups = u.additionalGids() == null ? List.of() : u.additionalGids();
            w.user(Objects.requireNonNullElse(u.uid(), 0L), Objects.requireNonNullElse(u.gid(), 0L),
                    Objects.requireNonNullElse(u.umask(), 022), groups);
        }
        boolean nnp = Boolean.TRUE.equals(p.noNewPrivileges());
        if (nnp) w.noNewPrivileges();
        if (seccomp != null) {
            // Without no_new_privs only CAP_SYS_ADMIN may install a filter: then it goes in before the drop.
            boolean early = !nnp && (effective >>> CapabilityNames.CAP_SYS_ADMIN & 1) == 0;
            w.seccomp(seccomp.flags(), early, seccomp.bpf());
        }
        if (p.scheduler() != null) w.scheduler(ProcessScheduling.schedAttr(p.scheduler()));
        if (p.ioPriority() != null) w.ioPriority(ProcessScheduling.ioPriority(p.ioPriority()));
        if (p.execCPUAffinity() != null && p.execCPUAffinity().last() != null) {
            w.affinity(ProcessScheduling.cpuMask(p.execCPUAffinity().last(), "process.execCPUAffinity.final"));
        }
        if (Boolean.TRUE.equals(p.terminal())) {
            ProcessSpec.ConsoleSize size = p.consoleSize();
            w.terminal(size == null || size.height() == null ? 0 : size.height(),
                    size == null || size.width() == null ? 0 : size.width(), consoleSocket == null ? "" : consoleSocket);
        }
        w.preserveFds(preserveFds);
        w.cwd(p.cwd());
        w.args(p.args());
        w.env(p.env() == null ? List.of() : p.env());
    }

    private static void containerHooks(PlanWriter w, int kind, List<Spec.Hook> hooks) {
        if (hooks == null) return;
        for (Spec.Hook h : hooks) {
            w.hook(kind, h.timeout() == null ? 0 : h.timeout(), h.path(), h.args() == null ? List.of() : h.args(),
                    h.env() == null ? List.of() : h.env());
        }
    }

    /** A capability set as a bit mask; names this runtime or kernel cannot grant are left out. */
    private static long mask(List<String> names) {
        long mask = 0;
        if (names == null) return 0;
        for (String name : names) {
            int n = CapabilityNames.number(name);
            if (n >= 0) mask |= 1L << n;
        }
        return mask;
    }

    private static long unsigned(BigInteger v) {
        return v.longValue();
    }

    /** The text the kernel takes in /proc/PID/uid_map: one "inside outside count" line per range. */
    private static String idMap(List<LinuxSpec.IdMapping> mappings) {
        StringBuilder text = new StringBuilder();
        for (LinuxSpec.IdMapping m : mappings) text.append(m.containerID()).append(' ').append(m.hostID()).append(' ').append(m.size()).append('\n');
        return text.toString();
    }

    private static long hostId(List<LinuxSpec.IdMapping> mappings, long containerId) {
        for (LinuxSpec.IdMapping m : mappings) {
            if (containerId >= m.containerID() && containerId < m.containerID() + m.size()) {
                return m.hostID() + containerId - m.containerID();
            }
        }
        throw new ConfigException("linux.uidMappings", "container ID " + containerId + " (root) is not mapped");
    }

    /** Joining the namespace this runtime is already in changes nothing (and setns refuses a user namespace so). */
    private static boolean sameAsOurs(String path, String procName) {
        try {
            Object theirs = Files.getAttribute(Path.of(path), "unix:ino");
            Object ours = Files.getAttribute(Path.of("/proc/self/ns/" + procName), "unix:ino");
            Object theirDev = Files.getAttribute(Path.of(path), "unix:dev");
            Object ourDev = Files.getAttribute(Path.of("/proc/self/ns/" + procName), "unix:dev");
            return theirs.equals(ours) && theirDev.equals(ourDev);
        } catch (NoSuchFileException e) {
            throw new ConfigException("linux.namespaces", path + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new ConfigException("root.path", p + " cannot be resolved: " + e.getMessage());
        }
    }

    private static long seconds(LinuxSpec.TimeOffset t) {
        return t == null || t.secs() == null ? 0 : t.secs();
    }

    private static long nanos(LinuxSpec.TimeOffset t) {
        return t == null || t.nanosec() == null ? 0 : t.nanosec();
    }

    private static boolean notEmpty(List<?> list) {
        return list != null && !list.isEmpty();
    }
}
