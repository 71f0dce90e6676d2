package dev.vireo.runtime.spec;

import dev.vireo.runtime.linux.ProcFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the host allows this runtime, read from /proc once: which capabilities exist and which
 * it holds, its own hard resource limits (it cannot raise them without CAP_SYS_RESOURCE), its
 * OOM score, which cgroup hierarchy it has, and whether AppArmor or SELinux is on.
 */
public record HostFacts(int lastCapability, long effectiveCapabilities, long boundingCapabilities,
                        Map<String, Long> hardLimits, int oomScoreAdj, boolean cgroupV2, boolean appArmor,
                        boolean selinux) {

    /** RLIM_INFINITY as a signed Java long. */
    public static final long UNLIMITED = -1L;

    public boolean holds(int capability) {
        return (effectiveCapabilities >>> capability & 1) != 0;
    }

    public static HostFacts current(boolean cgroupV2) {
        try {
            String status = ProcFiles.read(Path.of("/proc/self/status"));
            long effective = 0, bounding = 0;
            for (String line : status.split("\n")) {
                if (line.startsWith("CapEff:")) effective = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                if (line.startsWith("CapBnd:")) bounding = Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
            int lastCap = Integer.parseInt(ProcFiles.read(Path.of("/proc/sys/kernel/cap_last_cap")).trim());
            int oom = Integer.parseInt(ProcFiles.read(Path.of("/proc/self/oom_score_adj")).trim());
            boolean appArmor = Files.exists(Path.of("/sys/module/apparmor/parameters/enabled"))
                    && ProcFiles.read(Path.of("/sys/module/apparmor/parameters/enabled")).trim().equals("Y");
            boolean selinux = Files.exists(Path.of("/sys/fs/selinux/enforce"));
            return new HostFacts(lastCap, effective, bounding, readHardLimits(), oom, cgroupV2, appArmor, selinux);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hard limits from /proc/self/limits, keyed by RLIMIT_ name. */
    private static Map<String, Long> readHardLimits() throws IOException {
        Map<String, String> rows = Map.ofEntries(Map.entry("Max cpu time", "RLIMIT_CPU"),
                Map.entry("Max file size", "RLIMIT_FSIZE"), Map.entry("Max data size", "RLIMIT_DATA"),
                Map.entry("Max stack size", "RLIMIT_STACK"), Map.entry("Max core file size", "RLIMIT_CORE"),
                Map.entry("Max resident set", "RLIMIT_RSS"), Map.entry("Max processes", "RLIMIT_NPROC"),
                Map.entry("Max open files", "RLIMIT_NOFILE"), Map.entry("Max locked memory", "RLIMIT_MEMLOCK"),
                Map.entry("Max address space", "RLIMIT_AS"), Map.entry("Max file locks", "RLIMIT_LOCKS"),
                Map.entry("Max pending signals", "RLIMIT_SIGPENDING"), Map.entry("Max msgqueue size", "RLIMIT_MSGQUEUE"),
                Map.entry("Max nice priority", "RLIMIT_NICE"), Map.entry("Max realtime priority", "RLIMIT_RTPRIO"),
                Map.entry("Max realtime timeout", "RLIMIT_RTTIME"));
        Map<String, Long> limits = new HashMap<>();
        for (String line : ProcFiles.read(Path.of("/proc/self/limits")).split("\n")) {
            for (Map.Entry<String, String> row : rows.entrySet()) {
                if (!line.startsWith(row.getKey() + " ")) continue;
                String[] columns = line.substring(row.getKey().length()).trim().split("\\s+");
                String hard = columns[1].toLowerCase(Locale.ROOT);
                limits.put(row.getValue(), hard.equals("unlimited") ? UNLIMITED : Long.parseLong(hard));
            }
        }
        return limits;
    }
}
