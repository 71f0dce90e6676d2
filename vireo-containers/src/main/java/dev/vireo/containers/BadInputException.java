package dev.vireo.containers;

/**
 * Input a user can correct: a malformed {@code -v}, an unknown user, a memory size that is not
 * one, a name already taken. The CLI prints the message as one line and exits 125 for it.
 */
public class BadInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }
}
