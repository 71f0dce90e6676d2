package dev.vireo.containers;

/** No container has this name, ID or ID prefix. */
public final class NoSuchContainerException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public NoSuchContainerException(String reference) {
        super("no such container: " + reference);
    }
}
