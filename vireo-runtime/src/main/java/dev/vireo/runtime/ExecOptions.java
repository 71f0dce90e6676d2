package dev.vireo.runtime;

import java.nio.file.Path;

/**
 * How {@code exec} starts a process in a container: streams, PID file, terminal socket,
 * inherited descriptors, and whether to return at once ({@code detach}) instead of waiting.
 */
public record ExecOptions(Stdio stdio, Path pidFile, Path consoleSocket, int preserveFds, boolean detach) {
    public static ExecOptions withStdio(Stdio stdio) {
        return new ExecOptions(stdio, null, null, 0, false);
    }
}
