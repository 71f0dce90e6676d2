package dev.vireo.runtime.spec;

import dev.vireo.runtime.ConfigException;

import java.util.BitSet;
import java.util.List;

/**
 * {@code process.scheduler}, {@code process.ioPriority} and {@code process.execCPUAffinity}:
 * checked, and turned into what sched_setattr(2), ioprio_set(2) and sched_setaffinity(2) take.
 */
public final class ProcessScheduling {
    private static final List<String> POLICIES = List.of("SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
            "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE");
    private static final List<String> FLAGS = List.of("SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
            "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
            "SCHED_FLAG_UTIL_CLAMP_MAX");
    private static final List<String> IO_CLASSES = List.of("IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
            "IOPRIO_CLASS_IDLE");

    private ProcessScheduling() {}

    static void check(ProcessSpec p) {
        if (p.scheduler() != null) schedAttr(p.scheduler());
        if (p.ioPriority() != null) ioPriority(p.ioPriority());
        if (p.execCPUAffinity() != null && p.execCPUAffinity().last() != null) {
            cpuMask(p.execCPUAffinity().last(), "process.execCPUAffinity.final");
        }
    }

    /** policy, nice, priority, flags, runtime, deadline, period: the fields of struct sched_attr. */
    public static long[] schedAttr(ProcessSpec.Scheduler s) {
        int policy = POLICIES.indexOf(s.policy());
        if (policy < 0) throw new ConfigException("process.scheduler.policy", "unknown policy " + s.policy());
        int nice = s.nice() == null ? 0 : s.nice();
        if (nice < -20 || nice > 19) throw new ConfigException("process.scheduler.nice", "must be -20 to 19");
        long flags = 0;
        if (s.flags() != null) {
            for (String f : s.flags()) {
                int bit = FLAGS.indexOf(f);
                if (bit < 0) throw new ConfigException("process.scheduler.flags", "unknown flag " + f);
                flags |= 1L << bit;
            }
        }
        return new long[] {policy, nice, s.priority() == null ? 0 : s.priority(), flags,
                s.runtime() == null ? 0 : s.runtime(), s.deadline() == null ? 0 : s.deadline(),
                s.period() == null ? 0 : s.period()};
    }

    /** The value ioprio_set(2) takes: class in bits 13 and up, priority below. */
    public static long ioPriority(ProcessSpec.IoPriority io) {
        int c = IO_CLASSES.indexOf(io.ioClass());
        if (c < 0) throw new ConfigException("process.ioPriority.class", "unknown class " + io.ioClass());
        int priority = io.priority() == null ? 0 : io.priority();
        if (priority < 0 || priority > 7) throw new ConfigException("process.ioPriority.priority", "must be 0 to 7");
        return ((long) c << 13) | priority;
    }

    /** A CPU list such as {@code 0-3,6} as the 64-bit words of a cpu_set_t. */
    public static long[] cpuMask(String list, String field) {
        BitSet cpus = CpuList.parse(list, field);
        return cpus.isEmpty() ? new long[] {0} : cpus.toLongArray();
    }
}
