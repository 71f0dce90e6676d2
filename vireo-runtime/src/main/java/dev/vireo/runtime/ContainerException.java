package dev.vireo.runtime;

import java.io.Serial;

/**
 * An operation on a container failed: it does not exist, is in the wrong state, or the kernel
 * refused a step. The message is one line a user can act on; state is left as it was before.
 */
public class ContainerException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public ContainerException(String message) {
        super(message);
    }

    public ContainerException(String message, Throwable cause) {
        super(message, cause);
    }
}
