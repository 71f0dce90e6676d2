package dev.vireo.runtime;

import java.nio.file.Path;

/**
 * How {@code create} (and {@code run}) sets a container up, as runc's flags say: its standard
 * streams, where to write its PID, the socket that receives its terminal, how many descriptors
 * beyond the standard three it inherits (3 onwards of the runtime's own), whether to use MS_MOVE
 * and chroot instead of pivot_root (for a root on a ramdisk), and whether the caller goes away
 * after create (then a terminal must go to a console socket, as runc requires).
 */
public record CreateOptions(Stdio stdio, Path pidFile, Path consoleSocket, int preserveFds, boolean noPivot,
                            boolean detached) {
    public static CreateOptions defaults() {
        return new CreateOptions(Stdio.inherit(), null, null, 0, false, false);
    }

    public static CreateOptions withStdio(Stdio stdio) {
        return new CreateOptions(stdio, null, null, 0, false, false);
    }
}
