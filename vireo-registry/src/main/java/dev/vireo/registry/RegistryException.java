package dev.vireo.registry;

/**
 * A request the registry refuses, with the spec's code, a message, and the HTTP status
 * (the code's own unless a more precise one applies, such as 416 or 413).
 */
public final class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;
    private final int status;
    private final transient Object detail;

    public RegistryException(ErrorCode code, String message) {
        this(code, code.status(), message, null);
    }

    public RegistryException(ErrorCode code, int status, String message, Object detail) {
        super(message);
        this.code = code;
        this.status = status;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    /** Extra structured information for the error body, or null. */
    public Object detail() {
        return detail;
    }
}
