package dev.vireo.oci;

/**
 * Input that Vireo refuses: a digest that does not match its content, a malformed manifest or
 * reference, a layer entry that escapes its root. The CLI reports it with exit status 2.
 */
public class BadContentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BadContentException(String message) {
        super(message);
    }

    public BadContentException(String message, Throwable cause) {
        super(message, cause);
    }
}
