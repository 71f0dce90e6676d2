package dev.vireo.containers;

import dev.vireo.containers.spec.ConfigJson;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A runtime configuration (runtime-spec config.md) as an engine decides it: what runs, as whom,
 * in which root, with which mounts, annotations, namespaces, limits and confinement. {@link
 * #toJson()} writes it as {@code config.json}; {@link #writeBundle} makes the bundle directory
 * that {@code ContainerRuntime.create} or {@code run} takes.
 */
public record RuntimeSpec(Process process, Path root, String hostname, List<Mount> mounts,
                          Map<String, String> annotations, Linux linux) {

    public RuntimeSpec {
        mounts = List.copyOf(mounts);
        annotations = Map.copyOf(annotations);
    }

    /**
     * {@code process}. {@code capabilities} is the bounding set; a root process also has it as
     * effective and permitted set, anyone else starts with none (podman's rule).
     */
    public record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
                          List<String> capabilities, boolean noNewPrivileges) {
        public Process {
            args = List.copyOf(args);
            env = List.copyOf(env);
            capabilities = List.copyOf(capabilities);
        }

        public Process withArgs(List<String> a) {
            return new Process(terminal, user, a, env, cwd, capabilities, noNewPrivileges);
        }
    }

    public record User(long uid, long gid, List<Long> additionalGids) {
        public User {
            additionalGids = List.copyOf(additionalGids);
        }
    }

    public record Mount(String destination, String type, String source, List<String> options) {
        public Mount {
            options = List.copyOf(options);
        }
    }

    /**
     * {@code linux}: the namespaces to create, the cgroup limits, the masked and read-only paths,
     * and the seccomp profile as its JSON object (null: none).
     */
    public record Linux(List<String> namespaces, Resources resources, List<String> maskedPaths,
                        List<String> readonlyPaths, String seccomp) {
        public Linux {
            namespaces = List.copyOf(namespaces);
            maskedPaths = List.copyOf(maskedPaths);
            readonlyPaths = List.copyOf(readonlyPaths);
        }
    }

    /** {@code linux.resources}; null fields set no limit. */
    public record Resources(Long memory, Long memorySwap, Long cpuQuota, Long cpuPeriod, Long pids) {}

    public RuntimeSpec withProcess(Process p) {
        return new RuntimeSpec(p, root, hostname, mounts, annotations, linux);
    }

    public RuntimeSpec withMounts(List<Mount> m) {
        return new RuntimeSpec(process, root, hostname, m, annotations, linux);
    }

    /** The annotation of the image's stop signal, if it has one. */
    public String stopSignal() {
        return annotations.get(RuntimeSpecs.STOP_SIGNAL);
    }

    /** {@code config.json}, indented, keys in the specification's order. */
    public byte[] toJson() {
        return ConfigJson.write(this);
    }

    /** Writes {@code dir/config.json} (temporary file, then rename); {@link #root()} stays where it is. */
    public Path writeBundle(Path dir) throws IOException {
        return ConfigJson.writeBundle(this, dir);
    }
}
