package dev.vireo.runtime.cgroups;

import dev.vireo.runtime.linux.ProcFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host's cgroup layout, found in /proc/self/mountinfo and /proc/self/cgroup: v1 (one
 * hierarchy per controller, or a few co-mounted; a hybrid host that also mounts an almost empty
 * v2 hierarchy counts as v1) or v2 (one unified hierarchy). It places containers' groups.
 */
public final class Cgroups {
    private static final Set<String> V1_CONTROLLERS = Set.of("cpu", "cpuacct", "cpuset", "memory", "devices",
            "freezer", "blkio", "pids", "net_cls", "net_prio", "perf_event", "hugetlb", "rdma", "misc");

    /** A v1 hierarchy: where it is mounted, what it holds, and this process's group in it. */
    record Hierarchy(String name, Path mountPoint, List<String> controllers, String ownPath) {
        /** The directory of group {@code path} (relative to this hierarchy's root). */
        Path dir(String path) {
            String relative = path.startsWith("/") ? path.substring(1) : path;
            return relative.isEmpty() ? mountPoint : mountPoint.resolve(relative);
        }
    }

    private final List<Hierarchy> v1;
    private final Path unifiedMount;
    private final String unifiedOwnPath;

    Cgroups(List<Hierarchy> v1, Path unifiedMount, String unifiedOwnPath) {
        this.v1 = v1;
        this.unifiedMount = unifiedMount;
        this.unifiedOwnPath = unifiedOwnPath;
    }

    public static Cgroups detect() {
        try {
            return parse(ProcFiles.read(Path.of("/proc/self/mountinfo")).lines().toList(), ProcFiles.read(Path.of("/proc/self/cgroup")).lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Cgroups parse(List<String> mountinfo, List<String> ownCgroups) {
        Map<String, String> own = new LinkedHashMap<>();
        for (String line : ownCgroups) {
            String[] f = line.split(":", 3);
            if (f.length == 3) own.put(f[1], f[2]);
        }
        List<Hierarchy> v1 = new ArrayList<>();
        Path unified = null;
        for (String line : mountinfo) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 0 || dash + 3 >= f.length) continue;
            String fstype = f[dash + 1], root = unescape(f[3]);
            Path point = Path.of(unescape(f[4]));
            if (fstype.equals("cgroup2") && unified == null) {
                unified = point;
            } else if (fstype.equals("cgroup")) {
                List<String> controllers = new ArrayList<>();
                String named = null;
                for (String o : f[dash + 3].split(",")) {
                    if (V1_CONTROLLERS.contains(o)) controllers.add(o);
                    if (o.startsWith("name=")) named = o;
                }
                String key = named != null ? named : String.join(",", controllers);
                if (key.isEmpty() || v1.stream().anyMatch(h -> h.name().equals(key))) continue;
                String ownPath = relativeTo(own.getOrDefault(key, "/"), root);
                v1.add(new Hierarchy(key, point, List.copyOf(controllers), ownPath));
            }
        }
        boolean hasV1Controllers = v1.stream().anyMatch(h -> !h.controllers().isEmpty());
        if (hasV1Controllers) return new Cgroups(List.copyOf(v1), null, null);
        if (unified == null) throw new IllegalStateException("this host mounts no cgroup hierarchy");
        return new Cgroups(List.of(), unified, own.getOrDefault("", "/"));
    }

    /** A group path as seen from a mount whose root is {@code root} (not "/" inside a cgroup namespace). */
    private static String relativeTo(String path, String root) {
        if (root.equals("/") || !path.startsWith(root)) return path;
        String rest = path.substring(root.length());
        return rest.isEmpty() ? "/" : rest;
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    public boolean v2() {
        return unifiedMount != null;
    }

    /**
     * The group of container {@code id}. An absolute {@code cgroupsPath} is taken from each
     * hierarchy's root; a relative one from this process's own group, as runc's cgroupfs driver
     * does. Without one: {@code vireo/ID} below this process's group on v1 (so that containers
     * stay within the accounting of whoever runs the runtime), {@code /vireo/ID} on v2 (where
     * this process's own group may not delegate controllers while it holds processes).
     */
    public Cgroup forContainer(String id, String cgroupsPath) {
        String path = cgroupsPath != null && !cgroupsPath.isEmpty() ? cgroupsPath : (v2() ? "/vireo/" : "vireo/") + id;
        if (v2()) {
            String full = path.startsWith("/") ? path : join(unifiedOwnPath, path);
            return new CgroupV2(unifiedMount, unifiedMount.resolve(full.substring(1)));
        }
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (Hierarchy h : v1) dirs.put(h.name(), h.dir(path.startsWith("/") ? path : join(h.ownPath(), path)));
        return new CgroupV1(dirs, mountPoints());
    }

    /** The group a container was given at create time, from its state. */
    public Cgroup restore(Map<String, Path> paths) {
        if (paths.containsKey(CgroupV2.KEY)) return new CgroupV2(unifiedMount, paths.get(CgroupV2.KEY));
        return new CgroupV1(paths, mountPoints());
    }

    private Map<String, Path> mountPoints() {
        Map<String, Path> points = new LinkedHashMap<>();
        for (Hierarchy h : v1) points.put(h.name(), h.mountPoint());
        return points;
    }

    private static String join(String parent, String child) {
        return parent.endsWith("/") ? parent + child : parent + "/" + child;
    }
}
