package dev.vireo.image;

/** A name, tag, ID or digest that the store does not hold. */
public final class NoSuchImageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public NoSuchImageException(String what) {
        super("no such image: " + what);
    }
}
