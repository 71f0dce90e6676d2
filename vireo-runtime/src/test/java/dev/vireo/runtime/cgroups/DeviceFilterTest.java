package dev.vireo.runtime.cgroups;

import dev.vireo.runtime.spec.Resources;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cgroup v2 device filter, loaded into the kernel: this host mounts a v2 hierarchy beside
 * its v1 controllers, and eBPF device programs work on any v2 group, so a process moved there
 * meets the program the way a container on a v2 host would.
 */
class DeviceFilterTest {
    private static final Path UNIFIED = Path.of("/sys/fs/cgroup/unified");

    @Test
    void theProgramAllowsTheListedDevicesAndRefusesTheRest() throws Exception {
        Path root = Files.isDirectory(UNIFIED) ? UNIFIED : Path.of("/sys/fs/cgroup");
        boolean usable = Files.exists(root.resolve("cgroup.procs")) && Files.isWritable(root);
        if (!usable) System.err.println("skipped: no writable cgroup v2 hierarchy (needs root and cgroup2)");
        assumeTrue(usable, "no writable cgroup v2 hierarchy");
        Path group = root.resolve("vireo-device-test-" + ProcessHandle.current().pid());
        Files.createDirectory(group);
        try {
            DeviceFilter.attach(group, List.of(
                    new Resources.DeviceRule(false, null, null, null, "rwm"),
                    new Resources.DeviceRule(true, "c", 1L, 5L, "r"),
                    new Resources.DeviceRule(true, "c", 1L, 3L, "rwm"),
                    new Resources.DeviceRule(false, "c", 1L, 3L, "w")));
            // The shell moves itself into the group, then opens devices; its own output goes to a pipe.
            String script = "echo $$ > " + group.resolve("cgroup.procs") + "; "
                    + "(head -c1 /dev/zero | wc -c) 2>&1; "
                    + "(echo x > /dev/zero) 2>&1 | grep -o 'Operation not permitted'; "
                    + "cat /dev/null && echo null-readable; "
                    + "(echo x > /dev/null) 2>&1 | grep -o 'Operation not permitted'; "
                    + "cat /dev/urandom 2>&1 | head -c 100 | grep -o 'Operation not permitted'";
            Process p = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor());
            assertEquals("1\nOperation not permitted\nnull-readable\nOperation not permitted\nOperation not permitted\n", out,
                    "zero is readable only, null readable but its write is denied by the last rule, urandom unlisted");
        } finally {
            // The shell left the group when it exited, before waitFor returned.
            Files.delete(group);
        }
    }
}
