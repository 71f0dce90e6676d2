package dev.vireo.runtime.spec;

import dev.vireo.runtime.ConfigException;

import java.util.List;
import java.util.Map;

/** The checks of {@code linux.resources} that do not depend on which controllers the host mounts. */
final class ResourcesValidator {
    private ResourcesValidator() {}

    static void check(Resources r, HostFacts host) {
        if (r.devices() != null) {
            for (int i = 0; i < r.devices().size(); i++) device(r.devices().get(i), "linux.resources.devices[" + i + "]");
        }
        if (r.memory() != null) memory(r.memory());
        if (r.cpu() != null) cpu(r.cpu());
        if (r.pids() != null && r.pids().limit() == null) throw new ConfigException("linux.resources.pids.limit", "missing");
        if (r.blockIO() != null) blockIO(r.blockIO());
        if (r.hugepageLimits() != null) {
            for (int i = 0; i < r.hugepageLimits().size(); i++) {
                Resources.HugepageLimit h = r.hugepageLimits().get(i);
                String at = "linux.resources.hugepageLimits[" + i + "]";
                if (h.pageSize() == null || !h.pageSize().matches("\\d+[KMG]B")) {
                    throw new ConfigException(at + ".pageSize", "must be a size such as 2MB, not " + h.pageSize());
                }
                if (h.limit() == null) throw new ConfigException(at + ".limit", "missing");
            }
        }
        if (r.unified() != null && !r.unified().isEmpty()) {
            if (!host.cgroupV2()) throw new ConfigException("linux.resources.unified", "needs cgroup v2; this host has cgroup v1");
            for (Map.Entry<String, String> e : r.unified().entrySet()) {
                String key = e.getKey();
                if (key.contains("/") || !key.contains(".") || key.startsWith("cgroup.")) {
                    throw new ConfigException("linux.resources.unified." + key, "is not a controller file");
                }
            }
        }
    }

    private static void device(Resources.DeviceRule d, String at) {
        if (d == null || d.allow() == null) throw new ConfigException(at + ".allow", "missing");
        if (d.type() != null && !List.of("a", "c", "b").contains(d.type())) {
            throw new ConfigException(at + ".type", "must be a, c or b, not " + d.type());
        }
        if (d.access() != null && !d.access().matches("[rwm]{0,3}")) {
            throw new ConfigException(at + ".access", "must be made of r, w and m, not " + d.access());
        }
        if (d.major() != null && d.major() < -1 || d.minor() != null && d.minor() < -1) {
            throw new ConfigException(at, "device numbers must be -1 (any) or more");
        }
    }

    private static void memory(Resources.Memory m) {
        String at = "linux.resources.memory";
        if (m.limit() != null && m.limit() == 0) throw new ConfigException(at + ".limit", "must be positive or -1 (unlimited)");
        if (m.limit() != null && m.limit() < -1) throw new ConfigException(at + ".limit", "must be positive or -1 (unlimited)");
        if (m.swap() != null && m.swap() < -1) throw new ConfigException(at + ".swap", "must be positive or -1 (unlimited)");
        if (m.swap() != null && m.swap() > 0 && m.limit() != null && m.limit() > 0 && m.swap() < m.limit()) {
            throw new ConfigException(at + ".swap", "is the limit of memory plus swap: it cannot be below memory.limit");
        }
        if (m.swap() != null && m.swap() > 0 && (m.limit() == null || m.limit() == -1)) {
            throw new ConfigException(at + ".swap", "needs a memory.limit as well");
        }
        if (m.swappiness() != null && (m.swappiness() < 0 || m.swappiness() > 100)) {
            throw new ConfigException(at + ".swappiness", "must be 0 to 100");
        }
    }

    private static void cpu(Resources.Cpu c) {
        String at = "linux.resources.cpu";
        if (c.shares() != null && c.shares() < 0) throw new ConfigException(at + ".shares", "must not be negative");
        if (c.period() != null && (c.period() < 1000 || c.period() > 1_000_000)) {
            throw new ConfigException(at + ".period", "must be 1000 to 1000000 microseconds");
        }
        if (c.quota() != null && c.quota() > 0 && c.quota() < 1000) {
            throw new ConfigException(at + ".quota", "must be at least 1000 microseconds, or -1 for no limit");
        }
        if (c.cpus() != null && !c.cpus().isEmpty()) CpuList.parse(c.cpus(), at + ".cpus");
        if (c.mems() != null && !c.mems().isEmpty()) CpuList.parse(c.mems(), at + ".mems");
        if (c.idle() != null && c.idle() != 0 && c.idle() != 1) throw new ConfigException(at + ".idle", "must be 0 or 1");
    }

    private static void blockIO(Resources.BlockIO b) {
        String at = "linux.resources.blockIO";
        if (b.weight() != null && (b.weight() < 10 || b.weight() > 1000)) throw new ConfigException(at + ".weight", "must be 10 to 1000");
        if (b.leafWeight() != null && (b.leafWeight() < 10 || b.leafWeight() > 1000)) {
            throw new ConfigException(at + ".leafWeight", "must be 10 to 1000");
        }
        throttles(b.throttleReadBpsDevice(), at + ".throttleReadBpsDevice");
        throttles(b.throttleWriteBpsDevice(), at + ".throttleWriteBpsDevice");
        throttles(b.throttleReadIOPSDevice(), at + ".throttleReadIOPSDevice");
        throttles(b.throttleWriteIOPSDevice(), at + ".throttleWriteIOPSDevice");
        if (b.weightDevice() != null) {
            for (int i = 0; i < b.weightDevice().size(); i++) {
                Resources.WeightDevice w = b.weightDevice().get(i);
                if (w.major() == null || w.minor() == null) throw new ConfigException(at + ".weightDevice[" + i + "]", "needs major and minor");
            }
        }
    }

    private static void throttles(List<Resources.ThrottleDevice> list, String at) {
        if (list == null) return;
        for (int i = 0; i < list.size(); i++) {
            Resources.ThrottleDevice t = list.get(i);
            if (t.major() == null || t.minor() == null || t.rate() == null) {
                throw new ConfigException(at + "[" + i + "]", "needs major, minor and rate");
            }
        }
    }
}
