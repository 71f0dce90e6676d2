package dev.vireo.runtime;

import java.nio.file.Path;

/**
 * How {@code create} (and {@code run}) sets a container up, as runc's flags say: its standard
 * streams, where to write its PID, the socket that receives its terminal, how many descriptors
 * beyond the standard three it inherits (3 onwards of the runtime's own), and whether to use
 * MS_MOVE and chroot instead of pivot_root (for a root on a ramdisk).
 */
public record CreateOptions(Stdio stdio, Path pidFile, Path consoleSocket, int preserveFds, boolean noPivot) {
    public static CreateOptions defaults() {
        return new CreateOptions(Stdio.inherit(), null, null, 0, false);
    }

    public static CreateOptions withStdio(Stdio stdio) {
        return new CreateOptions(stdio, null, null, 0, false);
    }
}
