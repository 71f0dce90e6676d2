package dev.vireo.runtime.spec;

import dev.vireo.runtime.ConfigException;
import dev.vireo.runtime.ExecRequest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The process an {@code exec} runs: from its own JSON, or the container's process changed as asked. */
public final class ExecProcesses {
    private ExecProcesses() {}

    public static ProcessSpec resolve(Spec config, ExecRequest r) {
        ProcessSpec p;
        if (r.processJson() != null) {
            p = Json.read(r.processJson().getBytes(StandardCharsets.UTF_8), ProcessSpec.class, "--process");
        } else {
            p = config.process();
            if (r.args() == null || r.args().isEmpty()) throw new ConfigException("exec needs a command to run");
        }
        List<String> args = r.args() != null && !r.args().isEmpty() ? List.copyOf(r.args()) : p.args();
        List<String> env = p.env();
        if (r.env() != null && !r.env().isEmpty()) {
            List<String> all = new ArrayList<>(env == null ? List.of() : env);
            all.addAll(r.env());
            env = all;
        }
        ProcessSpec.User user = p.user();
        if (r.user() != null || r.additionalGids() != null) {
            ProcessSpec.User u = user == null ? new ProcessSpec.User(0L, 0L, null, null, null) : user;
            Long uid = u.uid(), gid = u.gid();
            if (r.user() != null) {
                String[] parts = r.user().split(":", 2);
                try {
                    uid = Long.parseLong(parts[0]);
                    if (parts.length == 2) gid = Long.parseLong(parts[1]);
                } catch (NumberFormatException e) {
                    throw new ConfigException("--user " + r.user() + ": must be numeric uid[:gid]");
                }
            }
            user = new ProcessSpec.User(uid, gid, u.umask(), r.additionalGids() != null ? r.additionalGids() : u.additionalGids(),
                    u.username());
        }
        ProcessSpec.Capabilities caps = p.capabilities();
        if (r.addCapabilities() != null && !r.addCapabilities().isEmpty()) {
            ProcessSpec.Capabilities c = caps == null
                    ? new ProcessSpec.Capabilities(List.of(), List.of(), List.of(), List.of(), List.of()) : caps;
            caps = new ProcessSpec.Capabilities(plus(c.bounding(), r.addCapabilities()), plus(c.effective(), r.addCapabilities()),
                    c.inheritable(), plus(c.permitted(), r.addCapabilities()), c.ambient());
        }
        return new ProcessSpec(r.terminal() != null ? r.terminal() : p.terminal(), p.consoleSize(), user, args, env,
                r.cwd() != null ? r.cwd() : p.cwd(), caps, p.rlimits(),
                r.noNewPrivileges() != null ? r.noNewPrivileges() : p.noNewPrivileges(), p.apparmorProfile(), p.oomScoreAdj(),
                p.selinuxLabel(), p.scheduler(), p.ioPriority(), p.execCPUAffinity());
    }

    private static List<String> plus(List<String> set, List<String> more) {
        List<String> all = new ArrayList<>(set == null ? List.of() : set);
        for (String c : more) if (!all.contains(c)) all.add(c);
        return all;
    }
}
