package dev.vireo.containers;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the caller adds to an image's configuration when it runs a container (conversion.md's
 * "externally provided inputs"): the flags of {@code vireo run}, and what a builder's RUN step
 * sets. Null means "as the image says" (entrypoint, cmd, workdir, user) or "no limit".
 *
 * @param env         {@code K=V} entries, replacing the image's value of K or added after its entries
 * @param binds       {@code -v} bind mounts; one on an image volume's path replaces that volume
 * @param memory      memory limit in bytes ({@code --memory})
 * @param memorySwap  memory plus swap limit in bytes (runtime-spec {@code memory.swap})
 * @param nanoCpus    CPU time in billionths of a CPU ({@code --cpus 1.5} is 1,500,000,000)
 * @param pidsLimit   most tasks in the container ({@code --pids-limit}); podman's default is 2048
 * @param entrypoint  replaces the image's Entrypoint, and then the image's Cmd is not used; empty: none
 * @param cmd         replaces the image's Cmd
 * @param hostNetwork the host's network namespace instead of a new one with only loopback
 * @param capabilities the bounding set; the effective and permitted sets too when the user is root
 * @param volumes     where the anonymous volumes of the image's Volumes are made, or null to mount none
 */
public record RunOptions(List<String> env, List<BindMount> binds, Long memory, Long memorySwap, Long nanoCpus,
                         Long pidsLimit, String hostname, String workdir, String user, List<String> entrypoint,
                         List<String> cmd, boolean terminal, boolean hostNetwork, List<String> capabilities,
                         Path volumes) {

    /** Podman's default capabilities (containers.conf): Docker's 14 less MKNOD, NET_RAW and AUDIT_WRITE. */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID",
            "CAP_SYS_CHROOT");
    /** Podman's default {@code pids_limit}. */
    public static final long DEFAULT_PIDS_LIMIT = 2048;
    /** The CFS period Docker and podman divide {@code --cpus} over, in microseconds. */
    public static final long CPU_PERIOD = 100_000;
    /** The smallest memory limit Docker accepts; less cannot even start a process. */
    public static final long MIN_MEMORY = 6 << 20;

    public RunOptions {
        env = List.copyOf(env);
        binds = List.copyOf(binds);
        capabilities = List.copyOf(capabilities);
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        cmd = cmd == null ? null : List.copyOf(cmd);
        for (String e : env) {
            int eq = e.indexOf('=');
            if (eq <= 0) throw new BadInputException("invalid environment entry '" + e + "': expected NAME=VALUE");
        }
        if (memory != null && memory < MIN_MEMORY) {
            throw new BadInputException("memory limit " + memory + " bytes is below the minimum of 6MB");
        }
        if (memorySwap != null && memory != null && memorySwap != -1 && memorySwap < memory) {
            throw new BadInputException("memory+swap limit must not be below the memory limit");
        }
        if (nanoCpus != null && nanoCpus <= 0) throw new BadInputException("--cpus must be above 0");
        if (workdir != null && !workdir.startsWith("/")) {
            throw new BadInputException("the working directory '" + workdir + "' is invalid: it must be an absolute path");
        }
        if (hostname != null && !validHostname(hostname)) {
            throw new BadInputException("invalid hostname '" + hostname + "' (letters, digits, '-' and '.', at most 64)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** These options, to change one or two. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.env.addAll(env);
        b.binds.addAll(binds);
        b.memory = memory;
        b.memorySwap = memorySwap;
        b.nanoCpus = nanoCpus;
        b.pidsLimit = pidsLimit;
        b.hostname = hostname;
        b.workdir = workdir;
        b.user = user;
        b.entrypoint = entrypoint;
        b.cmd = cmd;
        b.terminal = terminal;
        b.hostNetwork = hostNetwork;
        b.capabilities = capabilities;
        b.volumes = volumes;
        return b;
    }

    /** {@code --cpus} as quota over {@link #CPU_PERIOD}, or null without a limit. */
    public Long cpuQuota() {
        return nanoCpus == null ? null : Math.max(1000, nanoCpus * CPU_PERIOD / 1_000_000_000L);
    }

    /**
     * A size as Docker's {@code --memory} takes it: a number of bytes with an optional unit
     * {@code b}, {@code k}, {@code m}, {@code g}, {@code t} (powers of 1024, either case,
     * optionally followed by {@code b} or {@code ib}).
     */
    public static long parseBytes(String text, String what) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int end = s.length();
        while (end > 0 && Character.isLetter(s.charAt(end - 1))) end--;
        String number = s.substring(0, end), unit = s.substring(end);
        long multiplier = switch (unit) {
            case "", "b" -> 1L;
            case "k", "kb", "kib" -> 1L << 10;
            case "m", "mb", "mib" -> 1L << 20;
            case "g", "gb", "gib" -> 1L << 30;
            case "t", "tb", "tib" -> 1L << 40;
            default -> throw new BadInputException("invalid " + what + " '" + text + "': unknown unit '" + unit + "'");
        };
        try {
            BigDecimal bytes = new BigDecimal(number).multiply(BigDecimal.valueOf(multiplier));
            if (bytes.signum() < 0) throw new BadInputException("invalid " + what + " '" + text + "': negative");
            return bytes.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new BadInputException("invalid " + what + " '" + text + "': not a size (like 512m or 1g)");
        }
    }

    /** {@code --cpus 1.5} in billionths of a CPU. */
    public static long parseCpus(String text) {
        try {
            BigDecimal cpus = new BigDecimal(text.trim());
            if (cpus.signum() <= 0) throw new BadInputException("invalid --cpus '" + text + "': must be above 0");
            return cpus.movePointRight(9).longValue();
        } catch (NumberFormatException e) {
            throw new BadInputException("invalid --cpus '" + text + "': not a number (like 0.5 or 2)");
        }
    }

    private static boolean validHostname(String h) {
        if (h.isEmpty() || h.length() > 64) return false;
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-' && c != '.') return false;
        }
        return true;
    }

    /** Builds {@link RunOptions}; starts from podman's defaults (its capabilities and pids limit). */
    public static final class Builder {
        private final List<String> env = new ArrayList<>();
        private final List<BindMount> binds = new ArrayList<>();
        private Long memory, memorySwap, nanoCpus, pidsLimit = DEFAULT_PIDS_LIMIT;
        private String hostname, workdir, user;
        private List<String> entrypoint, cmd;
        private boolean terminal, hostNetwork;
        private List<String> capabilities = DEFAULT_CAPABILITIES;
        private Path volumes;

        private Builder() {}

        public Builder env(String nameEqualsValue) {
            env.add(nameEqualsValue);
            return this;
        }

        public Builder env(List<String> entries) {
            env.addAll(entries);
            return this;
        }

        public Builder bind(BindMount mount) {
            binds.add(mount);
            return this;
        }

        public Builder memory(Long bytes) {
            memory = bytes;
            return this;
        }

        public Builder memorySwap(Long bytes) {
            memorySwap = bytes;
            return this;
        }

        public Builder nanoCpus(Long n) {
            nanoCpus = n;
            return this;
        }

        /** Null, zero or negative: no limit. */
        public Builder pidsLimit(Long n) {
            pidsLimit = n == null || n <= 0 ? null : n;
            return this;
        }

        public Builder hostname(String h) {
            hostname = h;
            return this;
        }

        public Builder workdir(String w) {
            workdir = w;
            return this;
        }

        public Builder user(String u) {
            user = u;
            return this;
        }

        public Builder entrypoint(List<String> e) {
            entrypoint = e;
            return this;
        }

        public Builder cmd(List<String> c) {
            cmd = c;
            return this;
        }

        public Builder terminal(boolean t) {
            terminal = t;
            return this;
        }

        public Builder hostNetwork(boolean h) {
            hostNetwork = h;
            return this;
        }

        public Builder capabilities(List<String> c) {
            capabilities = c;
            return this;
        }

        public Builder volumes(Path directory) {
            volumes = directory;
            return this;
        }

        public RunOptions build() {
            return new RunOptions(env, binds, memory, memorySwap, nanoCpus, pidsLimit, hostname, workdir, user,
                    entrypoint, cmd, terminal, hostNetwork, capabilities, volumes);
        }
    }
}
