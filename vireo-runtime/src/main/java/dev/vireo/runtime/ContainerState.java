package dev.vireo.runtime;


import java.util.List;
import java.util.Map;

/**
 * The state of a container as the specification defines it (runtime.md, State), plus what
 * runc also reports (rootfs, created) and whether the OOM killer has struck in its cgroup.
 * {@link #toJson()} is what {@code vireo runtime state} prints and what hooks read on stdin.
 */
public record ContainerState(String ociVersion, String id, Status status, int pid, String bundle, String rootfs,
                             String created, Map<String, String> annotations, Boolean oomKilled) {

    public String toJson() {
        return dev.vireo.runtime.spec.Json.write(this);
    }

    /** A list of states as one JSON array, as {@code list --format json} prints it. */
    public static String toJson(List<ContainerState> states) {
        return dev.vireo.runtime.spec.Json.write(states);
    }
}
