package dev.vireo.runtime.spec;

import dev.vireo.runtime.ConfigException;
import dev.vireo.sys.Namespaces;
import dev.vireo.sys.SysException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The checks of config.json's {@code linux} section (config-linux.md). */
final class LinuxValidator {
    /** Namespace types of the specification and their clone flags. */
    static final Map<String, Integer> NAMESPACES = Map.of("pid", Namespaces.CLONE_NEWPID,
            "network", Namespaces.CLONE_NEWNET, "mount", Namespaces.CLONE_NEWNS, "ipc", Namespaces.CLONE_NEWIPC,
            "uts", Namespaces.CLONE_NEWUTS, "user", Namespaces.CLONE_NEWUSER, "cgroup", Namespaces.CLONE_NEWCGROUP,
            "time", Namespaces.CLONE_NEWTIME);
    private static final Set<String> IPC_SYSCTLS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
            "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    private LinuxValidator() {}

    static boolean hasNamespace(Spec spec, String type) {
        return spec.linux() != null && spec.linux().namespaces() != null
                && spec.linux().namespaces().stream().anyMatch(n -> n != null && type.equals(n.type()));
    }

    private static boolean newNamespace(Spec spec, String type) {
        return spec.linux() != null && spec.linux().namespaces() != null
                && spec.linux().namespaces().stream().anyMatch(n -> n != null && type.equals(n.type()) && n.path() == null);
    }

    static void check(Spec spec, HostFacts host, List<String> warnings) {
        LinuxSpec l = spec.linux();
        if (l == null) return;
        namespaces(l.namespaces());
        idMappings(spec);
        devices(l.devices());
        sysctls(spec);
        if (l.rootfsPropagation() != null && !MountOptions.PROPAGATION.containsKey(l.rootfsPropagation())) {
            throw new ConfigException("linux.rootfsPropagation", "unknown propagation " + l.rootfsPropagation());
        }
        paths(l.maskedPaths(), "linux.maskedPaths");
        paths(l.readonlyPaths(), "linux.readonlyPaths");
        if (l.cgroupsPath() != null) {
            for (String part : l.cgroupsPath().split("/")) {
                if (part.equals("..")) throw new ConfigException("linux.cgroupsPath", "must not climb with ..");
            }
        }
        if (l.resources() != null) ResourcesValidator.check(l.resources(), host);
        if (l.personality() != null && !List.of("LINUX", "LINUX32").contains(l.personality().domain())) {
            throw new ConfigException("linux.personality.domain", "must be LINUX or LINUX32");
        }
        if (l.timeOffsets() != null && !newNamespace(spec, "time")) {
            throw new ConfigException("linux.timeOffsets", "needs a new time namespace in linux.namespaces");
        }
        if (l.timeOffsets() != null) {
            for (String clock : l.timeOffsets().keySet()) {
                if (!clock.equals("monotonic") && !clock.equals("boottime")) {
                    throw new ConfigException("linux.timeOffsets", "unknown clock " + clock + " (monotonic or boottime)");
                }
            }
        }
        if (l.mountLabel() != null && !l.mountLabel().isEmpty() && !host.selinux()) {
            throw new ConfigException("linux.mountLabel", "SELinux is not enabled on this host");
        }
    }

    private static void namespaces(List<LinuxSpec.Namespace> namespaces) {
        if (namespaces == null) return;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < namespaces.size(); i++) {
            LinuxSpec.Namespace n = namespaces.get(i);
            String at = "linux.namespaces[" + i + "]";
            if (n == null || n.type() == null) throw new ConfigException(at + ".type", "missing");
            Integer flag = NAMESPACES.get(n.type());
            if (flag == null) throw new ConfigException(at + ".type", "unknown namespace type \"" + n.type() + "\"");
            if (!seen.add(n.type())) throw new ConfigException(at + ".type", "namespace " + n.type() + " appears twice");
            if (n.path() == null) continue;
            if (!n.path().startsWith("/")) throw new ConfigException(at + ".path", "must be absolute, not \"" + n.path() + "\"");
            if (!Files.exists(Path.of(n.path()))) throw new ConfigException(at + ".path", n.path() + " does not exist");
            int actual;
            try {
                actual = Namespaces.typeOf(n.path());
            } catch (SysException e) {
                throw new ConfigException(at + ".path", n.path() + " is not a namespace (" + e.getMessage() + ")");
            }
            if (actual != flag) {
                String kind = NAMESPACES.entrySet().stream().filter(e -> e.getValue() == actual).map(Map.Entry::getKey)
                        .findFirst().orElse("unknown");
                throw new ConfigException(at + ".path", n.path() + " is a " + kind + " namespace, not " + n.type());
            }
        }
    }

    private static void idMappings(Spec spec) {
        LinuxSpec l = spec.linux();
        boolean mapped = l.uidMappings() != null && !l.uidMappings().isEmpty()
                || l.gidMappings() != null && !l.gidMappings().isEmpty();
        if (newNamespace(spec, "user")) {
            if (l.uidMappings() == null || l.uidMappings().isEmpty()) {
                throw new ConfigException("linux.uidMappings", "a new user namespace needs uid mappings");
            }
            if (l.gidMappings() == null || l.gidMappings().isEmpty()) {
                throw new ConfigException("linux.gidMappings", "a new user namespace needs gid mappings");
            }
            mappings(l.uidMappings(), "linux.uidMappings");
            mappings(l.gidMappings(), "linux.gidMappings");
        } else if (mapped) {
            throw new ConfigException("linux.uidMappings", "mappings need a new user namespace in linux.namespaces");
        }
    }

    private static void mappings(List<LinuxSpec.IdMapping> mappings, String field) {
        if (mappings.size() > 340) throw new ConfigException(field, "the kernel takes at most 340 ranges");
        for (int i = 0; i < mappings.size(); i++) {
            LinuxSpec.IdMapping m = mappings.get(i);
            String at = field + "[" + i + "]";
            if (m == null || m.containerID() == null || m.hostID() == null || m.size() == null) {
                throw new ConfigException(at, "needs containerID, hostID and size");
            }
            if (m.size() <= 0) throw new ConfigException(at + ".size", "must be positive");
            if (m.containerID() < 0 || m.hostID() < 0 || m.containerID() + m.size() > 1L << 32 || m.hostID() + m.size() > 1L << 32) {
                throw new ConfigException(at, "range outside 0 to 2^32");
            }
        }
    }

    private static void devices(List<LinuxSpec.Device> devices) {
        if (devices == null) return;
        for (int i = 0; i < devices.size(); i++) {
            LinuxSpec.Device d = devices.get(i);
            String at = "linux.devices[" + i + "]";
            if (d == null || d.path() == null) throw new ConfigException(at + ".path", "missing");
            ConfigValidator.containerPath(d.path(), at + ".path");
            if (d.type() == null || !List.of("c", "b", "u", "p").contains(d.type())) {
                throw new ConfigException(at + ".type", "must be c, b, u or p, not " + d.type());
            }
            if (!d.type().equals("p") && (d.major() == null || d.minor() == null)) {
                throw new ConfigException(at, "a " + d.type() + " device needs major and minor numbers");
            }
            if (d.fileMode() != null && (d.fileMode() < 0 || d.fileMode() > 07777)) {
                throw new ConfigException(at + ".fileMode", "must be 0 to 07777");
            }
        }
    }

    /** A sysctl must belong to a namespace the container has its own of (runc's rule). */
    private static void sysctls(Spec spec) {
        Map<String, String> sysctls = spec.linux().sysctl();
        if (sysctls == null) return;
        for (Map.Entry<String, String> e : sysctls.entrySet()) {
            String key = e.getKey(), at = "linux.sysctl." + key;
            if (key.isEmpty() || key.contains("..") || key.startsWith("/") || key.startsWith(".")) {
                throw new ConfigException(at, "is not a sysctl name");
            }
            if (e.getValue() == null) throw new ConfigException(at, "has no value");
            String needs;
            if (IPC_SYSCTLS.contains(key) || key.startsWith("fs.mqueue.")) needs = "ipc";
            else if (key.startsWith("net.")) needs = "network";
            else if (key.equals("kernel.hostname") || key.equals("kernel.domainname")) needs = "uts";
            else throw new ConfigException(at, "is not namespaced: setting it would change the host");
            if (!hasNamespace(spec, needs)) throw new ConfigException(at, "needs a " + needs + " namespace in linux.namespaces");
        }
    }

    private static void paths(List<String> paths, String field) {
        if (paths == null) return;
        for (int i = 0; i < paths.size(); i++) {
            if (paths.get(i) == null) throw new ConfigException(field + "[" + i + "]", "is null");
            ConfigValidator.containerPath(paths.get(i), field + "[" + i + "]");
        }
    }
}
