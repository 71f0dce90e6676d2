package dev.vireo.containers;

import dev.vireo.containers.spec.Users;
import dev.vireo.image.ImageConfig;
import dev.vireo.runtime.SpecDefaults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An OCI image configuration turned into a runtime configuration exactly as the image
 * specification's conversion.md says, combined with the caller's {@link RunOptions} and this
 * engine's defaults (podman's: its capabilities, mounts, masked paths, seccomp profile).
 *
 * <ul>
 *   <li>{@code Config.Env} → {@code process.env}: the image's entries, then the caller's
 *       ({@code -e} replaces a name the image sets, in place); defaults (PATH, HOSTNAME, TERM,
 *       {@code container}) are added only for names neither sets.</li>
 *   <li>{@code Config.Entrypoint} + {@code Config.Cmd} → {@code process.args}: Cmd appended to
 *       Entrypoint; a given command replaces Cmd; a given entrypoint replaces Entrypoint and
 *       drops the image's Cmd (Docker's rule).</li>
 *   <li>{@code Config.WorkingDir} → {@code process.cwd} ({@code /} when unset).</li>
 *   <li>{@code Config.User} → {@code process.user}, resolved in the container's own
 *       {@code /etc/passwd} and {@code /etc/group} ({@link Users}).</li>
 *   <li>os, architecture, variant, author, created, {@code Config.StopSignal} and
 *       {@code Config.ExposedPorts} → {@code org.opencontainers.image.*} annotations;
 *       {@code Config.Labels} → annotations, winning over the implicit ones.</li>
 *   <li>{@code Config.Volumes} → bind mounts of anonymous volume directories (when the
 *       caller gives {@link RunOptions#volumes()}), unless a {@code -v} takes the path.</li>
 * </ul>
 */
public final class RuntimeSpecs {
    public static final String OS = "org.opencontainers.image.os";
    public static final String ARCHITECTURE = "org.opencontainers.image.architecture";
    public static final String VARIANT = "org.opencontainers.image.variant";
    public static final String AUTHOR = "org.opencontainers.image.author";
    public static final String CREATED = "org.opencontainers.image.created";
    public static final String STOP_SIGNAL = "org.opencontainers.image.stopSignal";
    public static final String EXPOSED_PORTS = "org.opencontainers.image.exposedPorts";
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final Map<List<String>, String> SECCOMP = new ConcurrentHashMap<>();

    private RuntimeSpecs() {}

    /**
     * The runtime configuration of a container from an image with configuration {@code image}
     * whose root filesystem (already prepared: users are read from it) is {@code rootfs}.
     *
     * @throws BadInputException when there is no command, or the user or group is not in the container
     */
    public static RuntimeSpec fromImage(ImageConfig image, Path rootfs, RunOptions options) {
        ImageConfig.Container c = image.config() == null ? ImageConfig.Container.empty() : image.config();
        Users.Resolved user = Users.resolve(rootfs, options.user() != null ? options.user() : c.user());
        RuntimeSpec.Process process = new RuntimeSpec.Process(options.terminal(),
                new RuntimeSpec.User(user.uid(), user.gid(), user.additionalGids()), args(c, options), env(c, options),
                cwd(c, options), options.capabilities(), false);
        List<String> namespaces = new ArrayList<>(List.of("pid", "ipc", "uts", "mount"));
        if (!options.hostNetwork()) namespaces.add("network");
        if (Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))) namespaces.add("cgroup");
        RuntimeSpec.Resources resources = new RuntimeSpec.Resources(options.memory(), options.memorySwap(),
                options.cpuQuota(), options.nanoCpus() == null ? null : RunOptions.CPU_PERIOD, options.pidsLimit());
        RuntimeSpec.Linux linux = new RuntimeSpec.Linux(namespaces, resources, SpecDefaults.maskedPaths(),
                SpecDefaults.readonlyPaths(), SECCOMP.computeIfAbsent(options.capabilities(), SpecDefaults::seccompProfile));
        return new RuntimeSpec(process, rootfs, options.hostname(), mounts(c, options), annotations(image), linux);
    }

    /** Where the anonymous volume for the image volume {@code destination} lives under {@code volumes}. */
    public static Path volumeSource(Path volumes, String destination) {
        String path = Path.of(destination).normalize().toString().substring(1);
        return volumes.resolve(path.replace("%", "%25").replace("/", "%2F"));
    }

    /** The image's volume paths that become anonymous volumes: those no bind mount covers. */
    public static List<String> anonymousVolumes(ImageConfig image, RunOptions options) {
        ImageConfig.Container c = image.config();
        if (options.volumes() == null || c == null || c.volumes() == null) return List.of();
        List<String> paths = new ArrayList<>();
        for (String v : c.volumes().keySet()) {
            if (!v.startsWith("/")) continue;
            String destination = Path.of(v).normalize().toString();
            if (destination.equals("/") || paths.contains(destination)) continue;
            if (options.binds().stream().noneMatch(b -> normal(b.destination()).equals(destination))) paths.add(destination);
        }
        return paths;
    }

    static List<String> args(ImageConfig.Container c, RunOptions o) {
        List<String> entrypoint = o.entrypoint() != null ? o.entrypoint() : orEmpty(c.entrypoint());
        List<String> cmd = o.cmd() != null ? o.cmd() : o.entrypoint() != null ? List.of() : orEmpty(c.cmd());
        List<String> args = new ArrayList<>(entrypoint);
        args.addAll(cmd);
        if (args.isEmpty()) {
            throw new BadInputException("no command: the image has neither Entrypoint nor Cmd, and none was given");
        }
        return args;
    }

    static List<String> env(ImageConfig.Container c, RunOptions o) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (String e : orEmpty(c.env())) byName.put(name(e), e);
        for (String e : o.env()) byName.put(name(e), e);
        byName.putIfAbsent("PATH", "PATH=" + DEFAULT_PATH);
        if (o.hostname() != null) byName.putIfAbsent("HOSTNAME", "HOSTNAME=" + o.hostname());
        if (o.terminal()) byName.putIfAbsent("TERM", "TERM=xterm");
        byName.putIfAbsent("container", "container=vireo");
        return List.copyOf(byName.values());
    }

    static String cwd(ImageConfig.Container c, RunOptions o) {
        if (o.workdir() != null) return o.workdir();
        String w = c.workingDir();
        if (w == null || w.isEmpty()) return "/";
        return w.startsWith("/") ? w : "/" + w;
    }

    static Map<String, String> annotations(ImageConfig image) {
        Map<String, String> a = new LinkedHashMap<>();
        putIfSet(a, OS, image.os());
        putIfSet(a, ARCHITECTURE, image.architecture());
        putIfSet(a, VARIANT, image.variant());
        putIfSet(a, AUTHOR, image.author());
        putIfSet(a, CREATED, image.created());
        ImageConfig.Container c = image.config();
        if (c != null) {
            putIfSet(a, STOP_SIGNAL, c.stopSignal());
            if (c.exposedPorts() != null && !c.exposedPorts().isEmpty()) {
                a.put(EXPOSED_PORTS, String.join(",", c.exposedPorts().keySet()));
            }
            if (c.labels() != null) a.putAll(c.labels());
        }
        return a;
    }

    /** Podman's default mounts; an image volume or a {@code -v} on the same path replaces what was there. */
    static List<RuntimeSpec.Mount> mounts(ImageConfig.Container c, RunOptions o) {
        Map<String, RuntimeSpec.Mount> byDestination = new LinkedHashMap<>();
        for (RuntimeSpec.Mount m : List.of(
                new RuntimeSpec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
                new RuntimeSpec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                new RuntimeSpec.Mount("/dev/pts", "devpts", "devpts",
                        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
                new RuntimeSpec.Mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                new RuntimeSpec.Mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                new RuntimeSpec.Mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("rprivate", "nosuid", "noexec", "nodev", "relatime", "ro")),
                new RuntimeSpec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")))) {
            byDestination.put(m.destination(), m);
        }
        ImageConfig image = new ImageConfig(null, null, null, null, null, c, null, null);
        for (String v : anonymousVolumes(image, o)) {
            byDestination.remove(v);
            byDestination.put(v, new RuntimeSpec.Mount(v, "bind", volumeSource(o.volumes(), v).toString(),
                    List.of("rbind", "rprivate")));
        }
        for (BindMount b : o.binds()) {
            String destination = normal(b.destination());
            byDestination.remove(destination);
            byDestination.put(destination, new RuntimeSpec.Mount(destination, "bind", b.source().toString(), b.options()));
        }
        return List.copyOf(byDestination.values());
    }

    private static String normal(String path) {
        return Path.of(path).normalize().toString();
    }

    private static String name(String entry) {
        int eq = entry.indexOf('=');
        return eq < 0 ? entry : entry.substring(0, eq);
    }

    private static void putIfSet(Map<String, String> map, String key, String value) {
        if (value != null && !value.isEmpty()) map.put(key, value);
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
