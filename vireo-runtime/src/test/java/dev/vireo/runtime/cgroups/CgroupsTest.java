package dev.vireo.runtime.cgroups;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CgroupsTest {
    private static final List<String> HYBRID = List.of(
            "26 1 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "27 26 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "28 26 0:24 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "29 26 0:25 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "30 26 0:26 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "31 26 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct");
    private static final List<String> OWN = List.of("2:name=systemd:/", "1:memory:/sandbox/s1", "3:cpu:/", "0::/");

    @Test
    void aHybridHostIsV1AndRelativePathsStartAtTheRuntimesOwnGroup() {
        Cgroups c = Cgroups.parse(HYBRID, OWN);
        assertFalse(c.v2());
        Map<String, Path> paths = c.forContainer("c1", null).paths();
        assertEquals(Path.of("/sys/fs/cgroup/cpu/vireo/c1"), paths.get("cpu"));
        assertEquals(Path.of("/sys/fs/cgroup/memory/sandbox/s1/vireo/c1"), paths.get("memory"));
        assertEquals(Path.of("/sys/fs/cgroup/systemd/vireo/c1"), paths.get("name=systemd"));
        assertEquals(Path.of("/sys/fs/cgroup/memory/pods/p1"), c.forContainer("c1", "/pods/p1").paths().get("memory"));
    }

    @Test
    void aV2HostPutsContainersUnderTheRootByDefault() {
        Cgroups c = Cgroups.parse(List.of("30 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate"),
                List.of("0::/user.slice/session-1.scope"));
        assertTrue(c.v2());
        assertEquals(Map.of("unified", Path.of("/sys/fs/cgroup/vireo/c1")), c.forContainer("c1", null).paths());
        assertEquals(Map.of("unified", Path.of("/sys/fs/cgroup/user.slice/session-1.scope/sub")),
                c.forContainer("c1", "sub").paths());
    }

    @Test
    void coMountedControllersAlsoAnswerToEachNameInsideTheContainer() {
        Cgroups c = Cgroups.parse(HYBRID, OWN);
        List<Cgroup.CgroupMount> mounts = c.forContainer("c1", null).mounts("/sys/fs/cgroup", false);
        assertTrue(mounts.contains(new Cgroup.CgroupMount(null, "/sys/fs/cgroup/cpu", null, null, "cpu,cpuacct")));
        assertTrue(mounts.contains(new Cgroup.CgroupMount("/sys/fs/cgroup/cpu,cpuacct/vireo/c1", "/sys/fs/cgroup/cpu,cpuacct",
                null, null, null)));
        assertTrue(c.forContainer("c1", null).mounts("/sys/fs/cgroup", true)
                .contains(new Cgroup.CgroupMount("cgroup", "/sys/fs/cgroup/memory", "cgroup", "memory", null)));
    }
}
