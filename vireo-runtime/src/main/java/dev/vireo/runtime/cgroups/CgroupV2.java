package dev.vireo.runtime.cgroups;

import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.ContainerStats;
import dev.vireo.runtime.spec.Resources;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A container's group on cgroup v2 (the kernel's cgroup-v2.rst): every ancestor delegates the
 * controllers it has to its children through {@code cgroup.subtree_control}, then the
 * container's directory gets the v2 forms of the OCI resources (cpu.weight from shares,
 * cpu.max, memory.max and memory.swap.max, io.weight and io.max, pids.max, hugetlb.*.max),
 * the {@code unified} map as is, and device rules as an eBPF program.
 */
final class CgroupV2 implements Cgroup {
    static final String KEY = "unified";

    private final Path root;
    private final Path dir;
    /** The directories {@link #make} created, parents first. */
    private final List<Path> made = new ArrayList<>();

    CgroupV2(Path root, Path dir) {
        this.root = root;
        this.dir = dir;
    }

    @Override
    public void make(Resources r) {
        try {
            // Each level down from the root delegates its controllers before the next is made.
            for (Path p = root; !p.equals(dir); p = child(p)) {
                delegate(p);
                Path next = child(p);
                if (Files.exists(next)) continue;
                try {
                    Files.createDirectory(next);
                    made.add(next);
                } catch (FileAlreadyExistsException raced) {
                    continue;
                } catch (IOException e) {
                    throw new ContainerException("cannot create cgroup " + next + ": " + CgroupFiles.reason(e));
                }
            }
            if (!CgroupFiles.pids(dir.resolve("cgroup.procs")).isEmpty()) {
                throw new ContainerException("linux.cgroupsPath: " + dir + " already holds processes");
            }
            if (r != null && r.devices() != null && !r.devices().isEmpty()) {
                List<Resources.DeviceRule> all = new ArrayList<>(r.devices());
                all.addAll(DeviceRules.RUNTIME_DEFAULTS);
                DeviceFilter.attach(dir, all);
            }
        } catch (RuntimeException e) {
            removeMade(e);
            throw e;
        }
    }

    @Override
    public void limit(Resources r) {
        if (r != null) apply(r);
    }

    /** Removes what {@link #make} made, deepest first; a parent another container uses stays. */
    private void removeMade(RuntimeException failure) {
        for (Path p : made.reversed()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                if (failure != null) failure.addSuppressed(e);
            }
        }
    }

    /** The next directory from {@code p} towards the container's. */
    private Path child(Path p) {
        return p.resolve(p.relativize(dir).getName(0));
    }

    /** Lets the children of {@code p} use every controller {@code p} has. */
    private static void delegate(Path p) {
        Set<String> available = words(p.resolve("cgroup.controllers"));
        Set<String> enabled = words(p.resolve("cgroup.subtree_control"));
        List<String> wanted = new ArrayList<>();
        for (String c : available) if (!enabled.contains(c)) wanted.add("+" + c);
        if (!wanted.isEmpty()) CgroupFiles.write(p.resolve("cgroup.subtree_control"), String.join(" ", wanted), "cgroup " + p);
    }

    private static Set<String> words(Path file) {
        Set<String> words = new LinkedHashSet<>();
        if (!Files.exists(file)) return words;
        for (String w : CgroupFiles.read(file).split("\\s+")) if (!w.isEmpty()) words.add(w);
        return words;
    }

    private void apply(Resources r) {
        if (r.memory() != null) memory(r.memory());
        if (r.cpu() != null) cpu(r.cpu());
        if (r.pids() != null && r.pids().limit() != null) {
            long limit = r.pids().limit();
            write("pids.max", limit > 0 ? Long.toString(limit) : "max", "linux.resources.pids.limit");
        }
        if (r.blockIO() != null) io(r.blockIO());
        if (r.hugepageLimits() != null) {
            for (Resources.HugepageLimit h : r.hugepageLimits()) {
                write("hugetlb." + h.pageSize() + ".max", Long.toString(h.limit()), "linux.resources.hugepageLimits " + h.pageSize());
            }
        }
        if (r.network() != null) {
            throw new ContainerException("linux.resources.network: cgroup v2 has no net_cls or net_prio controller");
        }
        if (r.unified() != null) {
            for (Map.Entry<String, String> e : r.unified().entrySet()) {
                write(e.getKey(), e.getValue(), "linux.resources.unified." + e.getKey());
            }
        }
    }

    private void write(String file, String value, String field) {
        CgroupFiles.write(dir.resolve(file), value, field);
    }

    private void memory(Resources.Memory m) {
        String at = "linux.resources.memory";
        if (m.limit() != null) write("memory.max", m.limit() > 0 ? Long.toString(m.limit()) : "max", at + ".limit");
        if (m.swap() != null) {
            String swap;
            if (m.swap() == -1) swap = "max";
            else if (m.limit() == null || m.limit() <= 0) throw new ContainerException(at + ".swap: needs a memory limit on cgroup v2");
            else swap = Long.toString(m.swap() - m.limit());
            write("memory.swap.max", swap, at + ".swap");
        }
        if (m.reservation() != null) write("memory.low", Long.toString(m.reservation()), at + ".reservation");
        if (m.swappiness() != null) throw new ContainerException(at + ".swappiness: cgroup v2 has no per-group swappiness");
        if (Boolean.TRUE.equals(m.disableOOMKiller())) throw new ContainerException(at + ".disableOOMKiller: cgroup v2 cannot disable the OOM killer");
        if (m.kernel() != null || m.kernelTCP() != null) throw new ContainerException(at + ".kernel: cgroup v2 has no separate kernel memory limit");
    }

    /** runc's conversion of cpu.shares (2 to 262144) to cpu.weight (1 to 10000). */
    static long weight(long shares) {
        return 1 + ((shares - 2) * 9999) / 262142;
    }

    private void cpu(Resources.Cpu c) {
        String at = "linux.resources.cpu";
        if (c.shares() != null && c.shares() != 0) write("cpu.weight", Long.toString(weight(c.shares())), at + ".shares");
        if (c.quota() != null || c.period() != null) {
            long period = c.period() != null ? c.period() : 100_000;
            String quota = c.quota() != null && c.quota() > 0 ? Long.toString(c.quota()) : "max";
            write("cpu.max", quota + " " + period, at + ".quota");
        }
        if (c.burst() != null) write("cpu.max.burst", Long.toString(c.burst()), at + ".burst");
        if (c.idle() != null) write("cpu.idle", Long.toString(c.idle()), at + ".idle");
        if (c.realtimePeriod() != null || c.realtimeRuntime() != null) {
            throw new ContainerException(at + ".realtimeRuntime: cgroup v2 has no real-time CPU controller");
        }
        if (c.cpus() != null && !c.cpus().isEmpty()) write("cpuset.cpus", c.cpus(), at + ".cpus");
        if (c.mems() != null && !c.mems().isEmpty()) write("cpuset.mems", c.mems(), at + ".mems");
    }

    /** runc's conversion of blkio.weight (10 to 1000) to io.weight (1 to 10000). */
    static long ioWeight(long weight) {
        return 1 + (weight - 10) * 9999 / 990;
    }

    private void io(Resources.BlockIO b) {
        String at = "linux.resources.blockIO";
        if (b.weight() != null) {
            if (Files.exists(dir.resolve("io.bfq.weight"))) write("io.bfq.weight", Integer.toString(b.weight()), at + ".weight");
            else write("io.weight", "default " + ioWeight(b.weight()), at + ".weight");
        }
        if (b.weightDevice() != null) {
            for (Resources.WeightDevice w : b.weightDevice()) {
                if (w.weight() != null) write("io.weight", w.major() + ":" + w.minor() + " " + ioWeight(w.weight()), at + ".weightDevice");
            }
        }
        Map<String, List<String>> max = new LinkedHashMap<>();
        limits(max, b.throttleReadBpsDevice(), "rbps");
        limits(max, b.throttleWriteBpsDevice(), "wbps");
        limits(max, b.throttleReadIOPSDevice(), "riops");
        limits(max, b.throttleWriteIOPSDevice(), "wiops");
        for (Map.Entry<String, List<String>> e : max.entrySet()) {
            write("io.max", e.getKey() + " " + String.join(" ", e.getValue()), at + " throttles");
        }
    }

    private static void limits(Map<String, List<String>> max, List<Resources.ThrottleDevice> list, String key) {
        if (list == null) return;
        for (Resources.ThrottleDevice t : list) {
            max.computeIfAbsent(t.major() + ":" + t.minor(), k -> new ArrayList<>()).add(key + "=" + t.rate());
        }
    }

    @Override
    public void add(int pid) {
        write("cgroup.procs", Integer.toString(pid), "cgroup " + dir);
    }

    @Override
    public List<Integer> processes() {
        return CgroupFiles.pids(dir.resolve("cgroup.procs"));
    }

    @Override
    public ContainerStats stats() {
        Map<String, Long> cpu = CgroupFiles.keyed(dir.resolve("cpu.stat"));
        ContainerStats.Cpu c = new ContainerStats.Cpu(cpu.getOrDefault("usage_usec", 0L) * 1000,
                cpu.getOrDefault("user_usec", 0L) * 1000, cpu.getOrDefault("system_usec", 0L) * 1000,
                cpu.getOrDefault("nr_throttled", 0L), cpu.getOrDefault("throttled_usec", 0L) * 1000);
        ContainerStats.Memory m = new ContainerStats.Memory(CgroupFiles.number(dir.resolve("memory.current")),
                CgroupFiles.number(dir.resolve("memory.peak")), CgroupFiles.number(dir.resolve("memory.max")), oomKills());
        ContainerStats.Pids p = new ContainerStats.Pids(CgroupFiles.number(dir.resolve("pids.current")),
                CgroupFiles.number(dir.resolve("pids.max")));
        return new ContainerStats(c, m, p);
    }

    @Override
    public long oomKills() {
        return CgroupFiles.keyed(dir.resolve("memory.events")).getOrDefault("oom_kill", 0L);
    }

    @Override
    public void killAll() {
        if (!Files.isDirectory(dir)) return;
        // cgroup.kill (Linux 5.14) kills the whole group at once, forks in flight included.
        if (Files.exists(dir.resolve("cgroup.kill"))) write("cgroup.kill", "1", "cgroup " + dir);
        Killer.killAll(this::processes, "cgroup " + dir);
    }

    @Override
    public void destroy() {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new ContainerException("cannot remove cgroup " + dir + ": " + CgroupFiles.reason(e));
        }
        removeMade(null);
    }

    @Override
    public Map<String, Path> paths() {
        return Map.of(KEY, dir);
    }

    @Override
    public List<CgroupMount> mounts(String destination, boolean ownNamespace) {
        if (ownNamespace) return List.of(new CgroupMount("cgroup2", destination, "cgroup2", null, null));
        return List.of(new CgroupMount(dir.toString(), destination, null, null, null));
    }
}
