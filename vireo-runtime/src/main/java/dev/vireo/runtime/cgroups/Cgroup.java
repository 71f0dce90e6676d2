package dev.vireo.runtime.cgroups;

import dev.vireo.runtime.ContainerStats;
import dev.vireo.runtime.spec.Resources;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One container's control group, on cgroup v1 (a directory per hierarchy) or v2 (one
 * directory in the unified hierarchy): made, limited, joined, measured, emptied and removed
 * the same way whichever the host has.
 */
public sealed interface Cgroup permits CgroupV1, CgroupV2 {

    /** Makes the directories and applies {@code resources}; a failure removes what it made. */
    default void create(Resources resources) {
        make(resources);
        try {
            limit(resources);
        } catch (RuntimeException e) {
            try {
                destroy();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Makes the directories (and the missing parents) and writes the device rules of {@code
     * resources} (null for none), so that a process can move in while {@link #limit} applies the
     * rest; a failure removes what it made. The device rules come first, before any process is
     * in: they decide which device nodes the container's process may make and open while it
     * builds its root file system, and on v1 they pass through a deny-all.
     */
    void make(Resources resources);

    /** Applies {@code resources} (null for none), but for the device rules, to the group {@link #make} made. */
    void limit(Resources resources);

    /** Moves a process (and, through it, its future children) into the group. */
    void add(int pid);

    /** The processes in the group now. */
    List<Integer> processes();

    /** Usage and limits as the controllers report them. */
    ContainerStats stats();

    /** How many times the OOM killer has killed a process of the group. */
    long oomKills();

    /** Sends SIGKILL to every process in the group and waits until they are gone. */
    void killAll();

    /**
     * Removes the group's directories; those already gone are fine. Parents that {@link #make}
     * made on this object go too, unless another group is in them now.
     */
    void destroy();

    /** The group's directories, as state.json keeps them (controller or "unified" to path). */
    Map<String, Path> paths();

    /** What a {@code cgroup} mount at {@code destination} becomes inside the container. */
    List<CgroupMount> mounts(String destination, boolean ownNamespace);

    /**
     * One step of a container's cgroup mount: a mount (fstype null for a bind), or a symlink
     * ({@code linkTarget} set).
     */
    record CgroupMount(String source, String target, String fstype, String data, String linkTarget) {}
}
