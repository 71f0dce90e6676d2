package dev.vireo.runtime.cgroups;

import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.ContainerStats;
import dev.vireo.runtime.spec.Resources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cgroup v2 against a fake cgroupfs: a directory tree with the interface files the kernel
 * would make (this host has cgroup v1, so the real kernel cannot be asked). The files the
 * driver must write exist empty; what it writes is compared with cgroup-v2.rst's formats.
 */
class CgroupV2Test {
    private static final List<String> LEAF_FILES = List.of("cgroup.procs", "cgroup.controllers", "cgroup.subtree_control",
            "memory.max", "memory.swap.max", "memory.low", "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle",
            "cpuset.cpus", "cpuset.mems", "pids.max", "io.weight", "io.max", "hugetlb.2MB.max", "memory.oom.group");

    /** A fake hierarchy root delegating some controllers, and the container's directory already made "by the kernel". */
    private static Path fake(Path root, String container) throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpu\n");
        Files.writeString(root.resolve("cgroup.procs"), "1\n");
        Path dir = root.resolve(container);
        for (Path p = root.resolve(container).getParent(); !p.equals(root); p = p.getParent()) {
            Files.createDirectories(p);
            Files.writeString(p.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids\n");
            Files.writeString(p.resolve("cgroup.subtree_control"), "");
        }
        Files.createDirectories(dir);
        for (String f : LEAF_FILES) Files.writeString(dir.resolve(f), "");
        return dir;
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p);
    }

    @Test
    void everyAncestorDelegatesItsControllersAndTheLeafGetsV2Values(@TempDir Path root) throws IOException {
        Path dir = fake(root, "vireo/c1");
        Cgroup cgroup = new CgroupV2(root, dir);
        Resources r = new Resources(null,
                new Resources.Memory(64L << 20, 32L << 20, 96L << 20, null, null, null, null, null, null),
                new Resources.Cpu(1024L, 50_000L, 10_000L, 100_000L, null, null, "0-1", "0", 0L),
                new Resources.Pids(64L),
                new Resources.BlockIO(500, null, List.of(new Resources.WeightDevice(8L, 0L, 100, null)),
                        List.of(new Resources.ThrottleDevice(8L, 0L, 1_048_576L)), null,
                        List.of(new Resources.ThrottleDevice(8L, 0L, 100L)), null),
                List.of(new Resources.HugepageLimit("2MB", 4L << 21)), null, Map.of("memory.oom.group", "1"));
        cgroup.create(r);
        // Ancestors: the root already had +cpu; the rest is added, and the intermediate level gets all of its own.
        assertEquals("+cpuset +io +memory +hugetlb +pids +rdma +misc", read(root.resolve("cgroup.subtree_control")));
        assertEquals("+cpuset +cpu +io +memory +hugetlb +pids", read(root.resolve("vireo/cgroup.subtree_control")));
        assertEquals("", read(dir.resolve("cgroup.subtree_control")), "the leaf holds processes: it delegates nothing");
        assertEquals(Long.toString(64L << 20), read(dir.resolve("memory.max")));
        assertEquals(Long.toString(32L << 20), read(dir.resolve("memory.swap.max")), "v2 limits swap alone: swap - limit");
        assertEquals(Long.toString(32L << 20), read(dir.resolve("memory.low")));
        assertEquals("39", read(dir.resolve("cpu.weight")), "runc's conversion of 1024 shares");
        assertEquals("50000 100000", read(dir.resolve("cpu.max")));
        assertEquals("10000", read(dir.resolve("cpu.max.burst")));
        assertEquals("0-1", read(dir.resolve("cpuset.cpus")));
        assertEquals("0", read(dir.resolve("cpuset.mems")));
        assertEquals("64", read(dir.resolve("pids.max")));
        assertEquals("8:0 910", read(dir.resolve("io.weight")), "the last write: the device's weight after the default");
        assertEquals("8:0 rbps=1048576 riops=100", read(dir.resolve("io.max")));
        assertEquals(Long.toString(4L << 21), read(dir.resolve("hugetlb.2MB.max")));
        assertEquals("1", read(dir.resolve("memory.oom.group")), "unified entries are written as given");
    }

    @Test
    void unlimitedValuesAreWrittenAsMax(@TempDir Path root) throws IOException {
        Path dir = fake(root, "c2");
        new CgroupV2(root, dir).create(new Resources(null, new Resources.Memory(-1L, -1L),
                Resources.Cpu.quota(-1, 250_000), new Resources.Pids(-1L), null, null, null, null));
        assertEquals("max", read(dir.resolve("memory.max")));
        assertEquals("max", read(dir.resolve("memory.swap.max")));
        assertEquals("max 250000", read(dir.resolve("cpu.max")));
        assertEquals("max", read(dir.resolve("pids.max")));
    }

    @Test
    void conversionsFollowRunc() {
        assertEquals(1, CgroupV2.weight(2));
        assertEquals(10000, CgroupV2.weight(262144));
        assertEquals(1, CgroupV2.ioWeight(10));
        assertEquals(10000, CgroupV2.ioWeight(1000));
    }

    @Test
    void aSettingV2DoesNotHaveIsRefusedAndTheGroupRemoved(@TempDir Path root) throws IOException {
        Path dir = root.resolve("vireo/c3");
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");
        Files.createDirectories(root.resolve("vireo"));
        Files.writeString(root.resolve("vireo/cgroup.controllers"), "cpu memory pids\n");
        Files.writeString(root.resolve("vireo/cgroup.subtree_control"), "");
        Cgroup cgroup = new CgroupV2(root, dir);
        ContainerException e = assertThrows(ContainerException.class, () -> cgroup.create(new Resources(null,
                new Resources.Memory(null, null, null, null, null, 60L, null, null, null), null, null, null, null, null, null)));
        assertEquals("linux.resources.memory.swappiness: cgroup v2 has no per-group swappiness", e.getMessage());
        assertFalse(Files.exists(dir), "the directory the driver made is gone again");
    }

    @Test
    void statsComeFromTheV2Files(@TempDir Path root) throws IOException {
        Path dir = fake(root, "c4");
        Files.writeString(dir.resolve("cpu.stat"), "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\nnr_periods 9\n"
                + "nr_throttled 3\nthrottled_usec 700\n");
        Files.writeString(dir.resolve("memory.current"), "4096\n");
        Files.writeString(dir.resolve("memory.peak"), "8192\n");
        Files.writeString(dir.resolve("memory.max"), "max\n");
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
        Files.writeString(dir.resolve("pids.current"), "3\n");
        Files.writeString(dir.resolve("pids.max"), "100\n");
        ContainerStats s = new CgroupV2(root, dir).stats();
        assertEquals(new ContainerStats.Cpu(2_500_000, 2_000_000, 500_000, 3, 700_000), s.cpu());
        assertEquals(new ContainerStats.Memory(4096, 8192, -1, 1), s.memory());
        assertEquals(new ContainerStats.Pids(3, 100), s.pids());
    }

    @Test
    void theContainersViewIsOneMount(@TempDir Path root) {
        Cgroup cgroup = new CgroupV2(root, root.resolve("c5"));
        assertEquals(List.of(new Cgroup.CgroupMount("cgroup2", "/sys/fs/cgroup", "cgroup2", null, null)),
                cgroup.mounts("/sys/fs/cgroup", true));
        assertEquals(List.of(new Cgroup.CgroupMount(root.resolve("c5").toString(), "/sys/fs/cgroup", null, null, null)),
                cgroup.mounts("/sys/fs/cgroup", false));
        assertTrue(cgroup.paths().containsKey("unified"));
    }
}
