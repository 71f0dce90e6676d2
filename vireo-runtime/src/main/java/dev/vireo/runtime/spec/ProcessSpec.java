package dev.vireo.runtime.spec;



import java.math.BigInteger;
import java.util.List;

/** {@code process} of config.json: what runs in the container, as whom, with which privileges. */
public record ProcessSpec(Boolean terminal, ConsoleSize consoleSize, User user, List<String> args, List<String> env,
                          String cwd, Capabilities capabilities, List<Rlimit> rlimits, Boolean noNewPrivileges,
                          String apparmorProfile, Integer oomScoreAdj, String selinuxLabel, Scheduler scheduler,
                          IoPriority ioPriority, CpuAffinity execCPUAffinity) {

    public record ConsoleSize(Integer height, Integer width) {}

    public record User(Long uid, Long gid, Integer umask, List<Long> additionalGids, String username) {}

    public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
                               List<String> permitted, List<String> ambient) {}

    /** Limits are unsigned 64-bit in the specification: RLIM_INFINITY is 2^64-1. */
    public record Rlimit(String type, BigInteger soft, BigInteger hard) {}

    public record Scheduler(String policy, Integer nice, Integer priority, List<String> flags, Long runtime,
                            Long deadline, Long period) {}

    public record IoPriority(String ioClass, Integer priority) {
        static final dev.vireo.json.Json.Names JSON_NAMES = dev.vireo.json.Json.Names.of("ioClass", "class");
    }

    public record CpuAffinity(String initial, String last) {
        static final dev.vireo.json.Json.Names JSON_NAMES = dev.vireo.json.Json.Names.of("last", "final");
    }

    public ProcessSpec withArgs(List<String> a) {
        return new ProcessSpec(terminal, consoleSize, user, a, env, cwd, capabilities, rlimits, noNewPrivileges,
                apparmorProfile, oomScoreAdj, selinuxLabel, scheduler, ioPriority, execCPUAffinity);
    }

    public ProcessSpec withTerminal(Boolean t) {
        return new ProcessSpec(t, consoleSize, user, args, env, cwd, capabilities, rlimits, noNewPrivileges,
                apparmorProfile, oomScoreAdj, selinuxLabel, scheduler, ioPriority, execCPUAffinity);
    }



    public ProcessSpec withCwd(String c) {
        return new ProcessSpec(terminal, consoleSize, user, args, env, c, capabilities, rlimits, noNewPrivileges,
                apparmorProfile, oomScoreAdj, selinuxLabel, scheduler, ioPriority, execCPUAffinity);
    }


    public ProcessSpec withRlimits(List<Rlimit> r) {
        return new ProcessSpec(terminal, consoleSize, user, args, env, cwd, capabilities, r, noNewPrivileges,
                apparmorProfile, oomScoreAdj, selinuxLabel, scheduler, ioPriority, execCPUAffinity);
    }


}
