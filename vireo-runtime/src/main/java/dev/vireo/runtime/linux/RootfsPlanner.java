package dev.vireo.runtime.linux;

import dev.vireo.runtime.cgroups.Cgroup;
import dev.vireo.runtime.spec.LinuxSpec;
import dev.vireo.runtime.spec.MountOptions;
import dev.vireo.runtime.spec.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.vireo.runtime.spec.MountOptions.MS_BIND;
import static dev.vireo.runtime.spec.MountOptions.MS_NODEV;
import static dev.vireo.runtime.spec.MountOptions.MS_NOEXEC;
import static dev.vireo.runtime.spec.MountOptions.MS_NOSUID;
import static dev.vireo.runtime.spec.MountOptions.MS_RDONLY;
import static dev.vireo.runtime.spec.MountOptions.MS_REC;
import static dev.vireo.runtime.spec.MountOptions.MS_REMOUNT;

/**
 * The file-system part of a create plan: config.json's mounts in order (a {@code cgroup} mount
 * expanded for the host's hierarchy), the default devices and the spec's, the /dev links, and
 * the masked, read-only and sysctl paths. Bind sources are host paths, resolved from the bundle.
 */
final class RootfsPlanner {
    private static final int S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFBLK = 0060000;
    /** The devices the specification requires (config-linux.md, Default Devices). */
    private static final List<LinuxSpec.Device> DEFAULT_DEVICES = List.of(
            new LinuxSpec.Device("c", "/dev/null", 1L, 3L, 0666, 0L, 0L),
            new LinuxSpec.Device("c", "/dev/zero", 1L, 5L, 0666, 0L, 0L),
            new LinuxSpec.Device("c", "/dev/full", 1L, 7L, 0666, 0L, 0L),
            new LinuxSpec.Device("c", "/dev/random", 1L, 8L, 0666, 0L, 0L),
            new LinuxSpec.Device("c", "/dev/urandom", 1L, 9L, 0666, 0L, 0L),
            new LinuxSpec.Device("c", "/dev/tty", 5L, 0L, 0666, 0L, 0L));

    private RootfsPlanner() {}

    static void plan(PlanWriter w, Spec spec, Path bundle, Cgroup cgroup, boolean newUserNs, boolean newNetNs,
                     boolean newCgroupNs) {
        List<Spec.Mount> mounts = spec.mounts() == null ? List.of() : spec.mounts();
        boolean devBound = false, devpts = false;
        for (Spec.Mount m : mounts) {
            MountOptions o = MountOptions.parse(m.options(), "mounts");
            boolean bind = o.bind() || "bind".equals(m.type());
            if (m.destination().equals("/dev") && bind) devBound = true;
            if ("devpts".equals(m.type())) devpts = true;
            if ("cgroup".equals(m.type())) cgroupMount(w, m, o, cgroup, newCgroupNs);
            else if ("sysfs".equals(m.type()) && newUserNs && !newNetNs) hostSysfs(w, m, o);
            else if (bind) bindMount(w, m, o, bundle);
            else w.mount(o.flags(), 0, o.propagation(), PlanWriter.KIND_DIR, m.source() == null ? m.type() : m.source(),
                        m.destination(), m.type(), o.data());
        }
        LinuxSpec linux = spec.linux();
        if (!devBound) {
            Map<String, LinuxSpec.Device> devices = new LinkedHashMap<>();
            for (LinuxSpec.Device d : DEFAULT_DEVICES) devices.put(d.path(), d);
            if (linux != null && linux.devices() != null) for (LinuxSpec.Device d : linux.devices()) devices.put(d.path(), d);
            for (LinuxSpec.Device d : devices.values()) device(w, d, newUserNs);
            w.symlink("/proc/self/fd", "/dev/fd");
            w.symlink("/proc/self/fd/0", "/dev/stdin");
            w.symlink("/proc/self/fd/1", "/dev/stdout");
            w.symlink("/proc/self/fd/2", "/dev/stderr");
            if (Files.exists(Path.of("/proc/kcore"))) w.symlink("/proc/kcore", "/dev/core");
            if (devpts) w.symlink("pts/ptmx", "/dev/ptmx");
        }
    }

    /** The container's view of its cgroup: runc's layout for v1 (a tmpfs of hierarchies), a single mount on v2. */
    private static void cgroupMount(PlanWriter w, Spec.Mount m, MountOptions o, Cgroup cgroup, boolean newCgroupNs) {
        long protect = o.flags() & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
        List<Cgroup.CgroupMount> steps = cgroup.mounts(m.destination(), newCgroupNs);
        boolean v2 = steps.size() == 1 && steps.getFirst().target().equals(m.destination());
        if (!v2) w.mount(protect, 0, 0, PlanWriter.KIND_DIR, "tmpfs", m.destination(), "tmpfs", "mode=755");
        for (Cgroup.CgroupMount s : steps) {
            if (s.linkTarget() != null) {
                w.symlink(s.linkTarget(), s.target());
            } else if (s.fstype() != null) {
                w.mount(o.flags(), 0, 0, PlanWriter.KIND_DIR, s.source(), s.target(), s.fstype(), s.data() == null ? "" : s.data());
            } else {
                long remount = o.flags() & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
                w.mount(MS_BIND | MS_REC, remount, 0, PlanWriter.KIND_DIR, s.source(), s.target(), "", "");
            }
        }
        if (!v2 && (o.flags() & MS_RDONLY) != 0) {
            w.mount(MS_REMOUNT | MS_RDONLY | protect, 0, 0, PlanWriter.KIND_EXISTING, "", m.destination(), "", "");
        }
    }

    /** A new user namespace may not mount sysfs without its own network namespace: the host's is bound instead (runc). */
    private static void hostSysfs(PlanWriter w, Spec.Mount m, MountOptions o) {
        long remount = o.flags() & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        w.mount(MS_BIND | MS_REC, remount, o.propagation(), PlanWriter.KIND_DIR, "/sys", m.destination(), "", "");
    }

    private static void bindMount(PlanWriter w, Spec.Mount m, MountOptions o, Path bundle) {
        Path source = bundle.resolve(m.source()).normalize();
        int kind = Files.isDirectory(source) ? PlanWriter.KIND_DIR : PlanWriter.KIND_FILE;
        // A bind ignores every flag but MS_REC: the others take a remount of the new mount.
        long remount = o.flags() & ~(MS_BIND | MS_REC | MS_REMOUNT);
        w.mount(MS_BIND | (o.flags() & MS_REC), remount, o.propagation(), kind, source.toString(), m.destination(), "", "");
    }

    /** A device node, or in a new user namespace (where mknod is refused) the host's node bound onto a file. */
    private static void device(PlanWriter w, LinuxSpec.Device d, boolean newUserNs) {
        int type = switch (d.type()) {
            case "b" -> S_IFBLK;
            case "p" -> S_IFIFO;
            default -> S_IFCHR;
        };
        int mode = d.fileMode() == null ? 0666 : d.fileMode();
        long uid = d.uid() == null ? 0 : d.uid(), gid = d.gid() == null ? 0 : d.gid();
        long major = d.major() == null ? 0 : d.major(), minor = d.minor() == null ? 0 : d.minor();
        boolean bind = newUserNs && type != S_IFIFO;
        w.device(type, major, minor, mode, uid, gid, bind, d.path(), bind ? d.path() : "");
    }

    /** Masked, read-only and sysctl paths, applied after pivot_root in this order. */
    static void paths(PlanWriter w, LinuxSpec linux) {
        if (linux == null) return;
        if (linux.sysctl() != null) linux.sysctl().forEach((k, v) -> w.sysctl(k.replace('.', '/'), v));
        if (linux.readonlyPaths() != null) linux.readonlyPaths().forEach(w::readonly);
        if (linux.maskedPaths() != null) linux.maskedPaths().forEach(w::masked);
    }

    static List<String> hostDeviceProblems(Spec spec, boolean newUserNs) {
        List<String> problems = new ArrayList<>();
        if (!newUserNs || spec.linux() == null || spec.linux().devices() == null) return problems;
        for (LinuxSpec.Device d : spec.linux().devices()) {
            if (!d.type().equals("p") && !Files.exists(Path.of(d.path()))) {
                problems.add(d.path() + " does not exist on the host, and a user namespace can only bind a host device");
            }
        }
        return problems;
    }
}
