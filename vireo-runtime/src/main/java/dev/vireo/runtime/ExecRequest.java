package dev.vireo.runtime;

import java.util.List;

/**
 * The process {@code exec} starts, as runc's flags describe it: a whole {@code process} object
 * (JSON, as in config.json) or the container's own process with changes: other arguments
 * (required then), extra environment, another working directory or user ({@code uid[:gid]}),
 * more groups, a terminal, more capabilities, no_new_privs. Null fields change nothing.
 */
public record ExecRequest(String processJson, List<String> args, List<String> env, String cwd, String user,
                          List<Long> additionalGids, Boolean terminal, List<String> addCapabilities,
                          Boolean noNewPrivileges) {
    public static ExecRequest of(List<String> args) {
        return new ExecRequest(null, args, null, null, null, null, null, null, null);
    }
}
