package dev.vireo.containers;

import dev.vireo.runtime.ContainerException;

/**
 * The container could not be started; {@link #exitStatus()} says why in Docker's terms: 125 the
 * engine failed, 126 the command cannot be invoked, 127 the command was not found.
 */
public final class StartFailedException extends ContainerException {
    private static final long serialVersionUID = 1L;
    public static final int ENGINE = 125, NOT_EXECUTABLE = 126, NOT_FOUND = 127;

    private final int exitStatus;

    public StartFailedException(int exitStatus, String message, Throwable cause) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
