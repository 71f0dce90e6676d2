package dev.vireo.containers;

import dev.vireo.runtime.ContainerException;

/** The container is not in a state that allows the operation: running for {@code rm}, stopped for {@code exec}. */
public final class ContainerConflictException extends ContainerException {
    private static final long serialVersionUID = 1L;

    public ContainerConflictException(String message) {
        super(message);
    }
}
