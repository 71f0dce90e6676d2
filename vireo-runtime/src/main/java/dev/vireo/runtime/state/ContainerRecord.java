package dev.vireo.runtime.state;

import dev.vireo.runtime.spec.Spec;

import java.util.Map;

/**
 * What the runtime keeps about a container in its state directory ({@code state.json}):
 * the spec's state fields, plus the start time that pins the PID to one process, the cgroup
 * directories to clean up, and the hooks that run after create (so start and delete need not
 * read the config again).
 */
public record ContainerRecord(String ociVersion, String id, String bundle, int pid, long pidStartTime,
                              String created, Map<String, String> annotations, Map<String, String> cgroup,
                              String rootfs, Spec.Hooks hooks) {

    public ContainerRecord withPid(int pid, long startTime) {
        return new ContainerRecord(ociVersion, id, bundle, pid, startTime, created, annotations, cgroup, rootfs, hooks);
    }
}
