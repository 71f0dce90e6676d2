package dev.vireo.runtime;

/**
 * A container's resource usage as its cgroup reports it. Limits of -1 mean none; a value the
 * host's controllers do not provide is 0.
 */
public record ContainerStats(Cpu cpu, Memory memory, Pids pids) {

    public String toJson() {
        return dev.vireo.runtime.spec.Json.write(this);
    }

    /** CPU time used (total, user, system) and how often the quota throttled the group. */
    public record Cpu(long usageNanos, long userNanos, long systemNanos, long throttledPeriods, long throttledNanos) {}

    /** Memory in use, its peak, the limit, and how many processes the OOM killer ended. */
    public record Memory(long usageBytes, long maxUsageBytes, long limitBytes, long oomKills) {}

    public record Pids(long current, long limit) {}
}
