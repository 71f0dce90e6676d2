package dev.vireo.runtime.spec;

import dev.vireo.runtime.seccomp.DefaultProfile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The configuration {@code vireo runtime spec} writes: Docker's defaults for a container
 * (moby's {@code oci/defaults.go} and its daemon's additions): the 14 default capabilities, the
 * standard mounts, the masked and read-only /proc and /sys paths, the device allow-list, and
 * the default seccomp profile resolved for those capabilities.
 */
public final class DefaultSpec {
    public static final String OCI_VERSION = "1.2.1";
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final List<String> MASKED = List.of("/proc/asound", "/proc/acpi", "/proc/interrupts",
            "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
            "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");
    public static final List<String> READONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");

    private DefaultSpec() {}

    /**
     * Docker's default configuration running {@code args}. With {@code cgroupNamespace} the
     * container gets its own cgroup namespace, as Docker gives it on cgroup v2 hosts.
     */
    public static Spec create(List<String> args, boolean cgroupNamespace) {
        List<String> caps = CapabilityNames.DOCKER_DEFAULT;
        ProcessSpec process = new ProcessSpec(false, null, new ProcessSpec.User(0L, 0L, null, null, null),
                List.copyOf(args), List.of(DEFAULT_PATH, "TERM=xterm"), "/",
                new ProcessSpec.Capabilities(caps, caps, null, caps, null), null, false, null, null, null, null,
                null, null);
        List<Spec.Mount> mounts = List.of(
                new Spec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new Spec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new Spec.Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new Spec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new Spec.Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("ro", "nosuid", "noexec", "nodev")),
                new Spec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new Spec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
        List<LinuxSpec.Namespace> namespaces = new ArrayList<>(List.of(new LinuxSpec.Namespace("mount"),
                new LinuxSpec.Namespace("network"), new LinuxSpec.Namespace("uts"), new LinuxSpec.Namespace("pid"),
                new LinuxSpec.Namespace("ipc")));
        if (cgroupNamespace) namespaces.add(new LinuxSpec.Namespace("cgroup"));
        Resources resources = new Resources(List.of(
                new Resources.DeviceRule(false, null, null, null, "rwm"),
                device(true, 1, 5), device(true, 1, 3), device(true, 1, 9), device(true, 1, 8),
                device(true, 5, 0), device(true, 5, 1), device(false, 10, 229)),
                null, null, null, null, null, null, null);
        LinuxSpec linux = new LinuxSpec(null, null, null, resources, null, List.copyOf(namespaces), null,
                DefaultProfile.forCapabilities(new LinkedHashSet<>(caps)), null, maskedPaths(), READONLY, null, null,
                null);
        return new Spec(OCI_VERSION, process, new Spec.Root("rootfs", false), "vireo", null, mounts, null, null, linux);
    }

    private static Resources.DeviceRule device(boolean allow, long major, long minor) {
        return new Resources.DeviceRule(allow, "c", major, minor, "rwm");
    }

    /** Docker also masks each CPU's thermal_throttle directory that the host has. */
    public static List<String> maskedPaths() {
        List<String> paths = new ArrayList<>(MASKED);
        Path cpus = Path.of("/sys/devices/system/cpu");
        if (!Files.isDirectory(cpus)) return List.copyOf(paths);
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(cpus, "cpu[0-9]*")) {
            List<String> throttles = new ArrayList<>();
            for (Path cpu : dir) {
                Path throttle = cpu.resolve("thermal_throttle");
                if (Files.isDirectory(throttle)) throttles.add(throttle.toString());
            }
            throttles.sort(null);
            paths.addAll(throttles);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(paths);
    }
}
