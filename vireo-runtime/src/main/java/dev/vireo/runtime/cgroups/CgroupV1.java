package dev.vireo.runtime.cgroups;

import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.ContainerStats;
import dev.vireo.runtime.spec.Resources;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's group on cgroup v1: one directory in every mounted hierarchy (named ones too,
 * as runc joins name=systemd), with the resources written the way runc's cgroupfs driver
 * writes them (memory before memory+swap, CFS period before quota, cpuset copied down from
 * the parent so that a new level is usable, device rules in order after a deny-all).
 */
final class CgroupV1 implements Cgroup {
    /** Hierarchy name to the container's directory in it. */
    private final Map<String, Path> dirs;
    private final Map<String, Path> mountPoints;
    /** The directories {@link #make} created, parents first. */
    private final List<Path> made = new ArrayList<>();

    CgroupV1(Map<String, Path> dirs, Map<String, Path> mountPoints) {
        this.dirs = Map.copyOf(dirs);
        this.mountPoints = mountPoints;
    }

    /** The directory of the hierarchy that holds {@code controller}, or null. */
    private Path dir(String controller) {
        for (Map.Entry<String, Path> e : dirs.entrySet()) {
            for (String c : e.getKey().split(",")) if (c.equals(controller)) return e.getValue();
        }
        return null;
    }

    private Path require(String controller, String field) {
        Path d = dir(controller);
        if (d == null) throw new ContainerException(field + ": this host mounts no " + controller + " cgroup controller");
        return d;
    }

    @Override
    public void make(Resources r) {
        try {
            for (Map.Entry<String, Path> e : dirs.entrySet()) {
                Path d = e.getValue();
                if (e.getKey().contains("cpuset")) makeCpuset(d, made);
                else made.addAll(mkdirs(d));
                // A group made just now is empty; one that was there may be another's.
                if (!made.contains(d) && !CgroupFiles.pids(d.resolve("cgroup.procs")).isEmpty()) {
                    throw new ContainerException("linux.cgroupsPath: " + d + " already holds processes");
                }
            }
            devices(r == null ? null : r.devices());
        } catch (RuntimeException e) {
            removeMade();
            throw e;
        }
    }

    @Override
    public void limit(Resources r) {
        apply(r == null ? new Resources(null, null, null, null, null, null, null, null) : r);
    }

    /** Creates the missing directories down to {@code dir}; returns those it created, deepest last. */
    private static List<Path> mkdirs(Path dir) {
        List<Path> made = new ArrayList<>();
        try {
            // Usually only the container's own level is missing: one mkdir, parents only when needed.
            Files.createDirectory(dir);
            made.add(dir);
        } catch (FileAlreadyExistsException e) {
            return made;
        } catch (NoSuchFileException e) {
            made.addAll(mkdirs(dir.getParent()));
            made.addAll(mkdirs(dir));
        } catch (IOException e) {
            throw new ContainerException("cannot create cgroup " + dir + ": " + CgroupFiles.reason(e));
        }
        return made;
    }

    /** A new cpuset level starts with no CPUs and no memory nodes: each gets its parent's. */
    private static void makeCpuset(Path dir, List<Path> made) {
        for (Path p : mkdirs(dir)) {
            made.add(p);
            for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
                if (CgroupFiles.read(p.resolve(file)).isEmpty()) {
                    CgroupFiles.write(p.resolve(file), CgroupFiles.read(p.getParent().resolve(file)), "cgroup " + file);
                }
            }
        }
    }

    private void apply(Resources r) {
        if (r.memory() != null) memory(r.memory());
        if (r.cpu() != null) cpu(r.cpu());
        if (r.pids() != null && r.pids().limit() != null) {
            long limit = r.pids().limit();
            CgroupFiles.write(require("pids", "linux.resources.pids").resolve("pids.max"),
                    limit > 0 ? Long.toString(limit) : "max", "linux.resources.pids.limit");
        }
        if (r.blockIO() != null) blockIO(r.blockIO());
        if (r.hugepageLimits() != null) {
            for (Resources.HugepageLimit h : r.hugepageLimits()) {
                String size = h.pageSize().replace("B", "");
                Path d = require("hugetlb", "linux.resources.hugepageLimits");
                CgroupFiles.write(d.resolve("hugetlb." + size + "B.limit_in_bytes"), Long.toString(h.limit()),
                        "linux.resources.hugepageLimits " + h.pageSize());
            }
        }
        if (r.network() != null) {
            if (r.network().classID() != null) {
                CgroupFiles.write(require("net_cls", "linux.resources.network").resolve("net_cls.classid"),
                        Integer.toUnsignedString(r.network().classID()), "linux.resources.network.classID");
            }
            if (r.network().priorities() != null) {
                for (Resources.InterfacePriority p : r.network().priorities()) {
                    CgroupFiles.write(require("net_prio", "linux.resources.network").resolve("net_prio.ifpriomap"),
                            p.name() + " " + p.priority(), "linux.resources.network.priorities");
                }
            }
        }
    }

    private void memory(Resources.Memory m) {
        Path d = require("memory", "linux.resources.memory");
        String at = "linux.resources.memory";
        if (m.limit() != null) CgroupFiles.write(d.resolve("memory.limit_in_bytes"), Long.toString(m.limit()), at + ".limit");
        if (m.swap() != null) {
            if (!Files.exists(d.resolve("memory.memsw.limit_in_bytes"))) {
                throw new ContainerException(at + ".swap: this host's kernel does not account swap (no memory.memsw.limit_in_bytes)");
            }
            CgroupFiles.write(d.resolve("memory.memsw.limit_in_bytes"), Long.toString(m.swap()), at + ".swap");
        }
        if (m.reservation() != null) {
            CgroupFiles.write(d.resolve("memory.soft_limit_in_bytes"), Long.toString(m.reservation()), at + ".reservation");
        }
        if (m.kernel() != null) CgroupFiles.write(d.resolve("memory.kmem.limit_in_bytes"), Long.toString(m.kernel()), at + ".kernel");
        if (m.kernelTCP() != null) {
            CgroupFiles.write(d.resolve("memory.kmem.tcp.limit_in_bytes"), Long.toString(m.kernelTCP()), at + ".kernelTCP");
        }
        if (m.swappiness() != null) CgroupFiles.write(d.resolve("memory.swappiness"), Long.toString(m.swappiness()), at + ".swappiness");
        if (Boolean.TRUE.equals(m.disableOOMKiller())) CgroupFiles.write(d.resolve("memory.oom_control"), "1", at + ".disableOOMKiller");
    }

    private void cpu(Resources.Cpu c) {
        String at = "linux.resources.cpu";
        if (c.shares() != null || c.period() != null || c.quota() != null || c.burst() != null
                || c.realtimePeriod() != null || c.realtimeRuntime() != null || c.idle() != null) {
            Path d = require("cpu", at);
            if (c.shares() != null) CgroupFiles.write(d.resolve("cpu.shares"), Long.toString(c.shares()), at + ".shares");
            if (c.period() != null) CgroupFiles.write(d.resolve("cpu.cfs_period_us"), Long.toString(c.period()), at + ".period");
            if (c.quota() != null) {
                CgroupFiles.write(d.resolve("cpu.cfs_quota_us"), Long.toString(c.quota() > 0 ? c.quota() : -1), at + ".quota");
            }
            if (c.burst() != null) CgroupFiles.write(d.resolve("cpu.cfs_burst_us"), Long.toString(c.burst()), at + ".burst");
            if (c.realtimePeriod() != null) {
                CgroupFiles.write(d.resolve("cpu.rt_period_us"), Long.toString(c.realtimePeriod()), at + ".realtimePeriod");
            }
            if (c.realtimeRuntime() != null) {
                CgroupFiles.write(d.resolve("cpu.rt_runtime_us"), Long.toString(c.realtimeRuntime()), at + ".realtimeRuntime");
            }
            if (c.idle() != null) CgroupFiles.write(d.resolve("cpu.idle"), Long.toString(c.idle()), at + ".idle");
        }
        if (c.cpus() != null && !c.cpus().isEmpty()) {
            CgroupFiles.write(require("cpuset", at).resolve("cpuset.cpus"), c.cpus(), at + ".cpus");
        }
        if (c.mems() != null && !c.mems().isEmpty()) {
            CgroupFiles.write(require("cpuset", at).resolve("cpuset.mems"), c.mems(), at + ".mems");
        }
    }

    private void blockIO(Resources.BlockIO b) {
        String at = "linux.resources.blockIO";
        Path d = require("blkio", at);
        if (b.weight() != null) {
            Path file = Files.exists(d.resolve("blkio.weight")) ? d.resolve("blkio.weight") : d.resolve("blkio.bfq.weight");
            CgroupFiles.write(file, Integer.toString(b.weight()), at + ".weight");
        }
        if (b.leafWeight() != null) CgroupFiles.write(d.resolve("blkio.leaf_weight"), Integer.toString(b.leafWeight()), at + ".leafWeight");
        if (b.weightDevice() != null) {
            for (Resources.WeightDevice w : b.weightDevice()) {
                if (w.weight() != null) {
                    CgroupFiles.write(d.resolve("blkio.weight_device"), w.major() + ":" + w.minor() + " " + w.weight(), at + ".weightDevice");
                }
            }
        }
        throttle(d, b.throttleReadBpsDevice(), "blkio.throttle.read_bps_device", at + ".throttleReadBpsDevice");
        throttle(d, b.throttleWriteBpsDevice(), "blkio.throttle.write_bps_device", at + ".throttleWriteBpsDevice");
        throttle(d, b.throttleReadIOPSDevice(), "blkio.throttle.read_iops_device", at + ".throttleReadIOPSDevice");
        throttle(d, b.throttleWriteIOPSDevice(), "blkio.throttle.write_iops_device", at + ".throttleWriteIOPSDevice");
    }

    private static void throttle(Path d, List<Resources.ThrottleDevice> list, String file, String field) {
        if (list == null) return;
        for (Resources.ThrottleDevice t : list) CgroupFiles.write(d.resolve(file), t.major() + ":" + t.minor() + " " + t.rate(), field);
    }

    /** The rules in order, then the devices every container needs (runc's list). */
    private void devices(List<Resources.DeviceRule> rules) {
        Path d = dir("devices");
        if (d == null) {
            if (rules != null && !rules.isEmpty()) {
                throw new ContainerException("linux.resources.devices: this host mounts no devices cgroup controller");
            }
            return;
        }
        List<Resources.DeviceRule> all = new ArrayList<>(rules == null ? List.of() : rules);
        if (all.isEmpty()) return;
        all.addAll(DeviceRules.RUNTIME_DEFAULTS);
        String at = "linux.resources.devices";
        try (CgroupFiles.Open allow = CgroupFiles.open(d.resolve("devices.allow"), at);
             CgroupFiles.Open deny = CgroupFiles.open(d.resolve("devices.deny"), at)) {
            for (int i = 0; i < all.size(); i++) {
                Resources.DeviceRule rule = all.get(i);
                String field = i < (rules == null ? 0 : rules.size()) ? at + "[" + i + "]" : "the runtime's default devices";
                (rule.allow() ? allow : deny).write(DeviceRules.v1Line(rule), field);
            }
        }
    }

    @Override
    public void add(int pid) {
        for (Path d : dirs.values()) CgroupFiles.write(d.resolve("cgroup.procs"), Integer.toString(pid), "cgroup " + d);
    }

    @Override
    public List<Integer> processes() {
        Path any = dir("pids") != null ? dir("pids") : dirs.values().iterator().next();
        return CgroupFiles.pids(any.resolve("cgroup.procs"));
    }

    @Override
    public ContainerStats stats() {
        Path mem = dir("memory"), acct = dir("cpuacct"), cpu = dir("cpu"), pids = dir("pids");
        long usage = 0, user = 0, system = 0, periods = 0, throttled = 0;
        if (acct != null) {
            usage = CgroupFiles.number(acct.resolve("cpuacct.usage"));
            Map<String, Long> stat = CgroupFiles.keyed(acct.resolve("cpuacct.stat"));
            // cpuacct.stat counts USER_HZ ticks, 100 a second on x86-64.
            user = stat.getOrDefault("user", 0L) * 10_000_000L;
            system = stat.getOrDefault("system", 0L) * 10_000_000L;
        }
        if (cpu != null) {
            Map<String, Long> stat = CgroupFiles.keyed(cpu.resolve("cpu.stat"));
            periods = stat.getOrDefault("nr_throttled", 0L);
            throttled = stat.getOrDefault("throttled_time", 0L);
        }
        ContainerStats.Memory memory = new ContainerStats.Memory(0, 0, -1, 0);
        if (mem != null) {
            long limit = CgroupFiles.number(mem.resolve("memory.limit_in_bytes"));
            memory = new ContainerStats.Memory(CgroupFiles.number(mem.resolve("memory.usage_in_bytes")),
                    CgroupFiles.number(mem.resolve("memory.max_usage_in_bytes")),
                    limit >= 0x7ffffffffffff000L ? -1 : limit, oomKills());
        }
        ContainerStats.Pids p = pids == null ? new ContainerStats.Pids(0, -1)
                : new ContainerStats.Pids(CgroupFiles.number(pids.resolve("pids.current")), CgroupFiles.number(pids.resolve("pids.max")));
        return new ContainerStats(new ContainerStats.Cpu(usage, user, system, periods, throttled), memory, p);
    }

    @Override
    public long oomKills() {
        Path mem = dir("memory");
        return mem == null ? 0 : CgroupFiles.keyed(mem.resolve("memory.oom_control")).getOrDefault("oom_kill", 0L);
    }

    @Override
    public void killAll() {
        if (!dirs.values().iterator().next().toFile().isDirectory()) return;
        Killer.killAll(this::processes, "cgroup " + dirs.values().iterator().next());
    }

    @Override
    public void destroy() {
        for (Path d : dirs.values()) {
            try {
                Files.deleteIfExists(d);
            } catch (IOException e) {
                throw new ContainerException("cannot remove cgroup " + d + ": " + CgroupFiles.reason(e));
            }
        }
        removeMade();
    }

    /** Removes what {@link #make} made; a parent another container uses stays. */
    private void removeMade() {
        for (Path p : made.reversed()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                if (dirs.containsValue(p)) throw new ContainerException("cannot remove cgroup " + p + ": " + CgroupFiles.reason(e));
            }
        }
    }

    @Override
    public Map<String, Path> paths() {
        return new LinkedHashMap<>(dirs);
    }

    @Override
    public List<CgroupMount> mounts(String destination, boolean ownNamespace) {
        List<CgroupMount> steps = new ArrayList<>();
        for (Map.Entry<String, Path> e : dirs.entrySet()) {
            String name = mountPoints.get(e.getKey()).getFileName().toString();
            String target = destination + "/" + name;
            if (ownNamespace) {
                steps.add(new CgroupMount("cgroup", target, "cgroup", e.getKey(), null));
            } else {
                steps.add(new CgroupMount(e.getValue().toString(), target, null, null, null));
            }
            // Co-mounted controllers (cpu,cpuacct) also answer to each name, through a link.
            if (name.contains(",")) {
                for (String c : name.split(",")) steps.add(new CgroupMount(null, destination + "/" + c, null, null, name));
            }
        }
        return steps;
    }
}
