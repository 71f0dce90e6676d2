package dev.vireo.runtime.spec;

import dev.vireo.runtime.ConfigException;
import dev.vireo.runtime.ExecRequest;

import java.util.ArrayList;
import java.util.List;

/** The process an {@code exec} runs: from its own JSON, or the container's process changed as asked. */
public final class ExecProcesses {
    private ExecProcesses() {}

    public static ProcessSpec resolve(Spec config, ExecRequest r) {
        ProcessSpec p;
        if (r.processJson() != null) {
            p = Json.read(r.processJson().getBytes(java.nio.charset.StandardCharsets.UTF_8), ProcessSpec.class, "--process");
        } else {
            p = config.process();
            if (r.args() == null || r.args().isEmpty()) throw new ConfigException("exec needs a command to run");
        }
        if (r.args() != null && !r.args().isEmpty()) p = p.withArgs(List.copyOf(r.args()));
        if (r.env() != null && !r.env().isEmpty()) {
            List<String> env = new ArrayList<>(p.env() == null ? List.of() : p.env());
            env.addAll(r.env());
            p = p.withEnv(env);
        }
        if (r.cwd() != null) p = p.withCwd(r.cwd());
        if (r.terminal() != null) p = p.withTerminal(r.terminal());
        if (r.noNewPrivileges() != null) p = p.withNoNewPrivileges(r.noNewPrivileges());
        if (r.user() != null || r.additionalGids() != null) {
            ProcessSpec.User u = p.user() == null ? new ProcessSpec.User(0L, 0L, null, null, null) : p.user();
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
            List<Long> groups = r.additionalGids() != null ? r.additionalGids() : u.additionalGids();
            p = p.withUser(new ProcessSpec.User(uid, gid, u.umask(), groups, u.username()));
        }
        if (r.addCapabilities() != null && !r.addCapabilities().isEmpty()) {
            ProcessSpec.Capabilities c = p.capabilities() == null
                    ? new ProcessSpec.Capabilities(List.of(), List.of(), List.of(), List.of(), List.of()) : p.capabilities();
            p = p.withCapabilities(new ProcessSpec.Capabilities(plus(c.bounding(), r.addCapabilities()),
                    plus(c.effective(), r.addCapabilities()), c.inheritable(), plus(c.permitted(), r.addCapabilities()),
                    c.ambient()));
        }
        return p;
    }

    private static List<String> plus(List<String> set, List<String> more) {
        List<String> all = new ArrayList<>(set == null ? List.of() : set);
        for (String c : more) if (!all.contains(c)) all.add(c);
        return all;
    }
}
