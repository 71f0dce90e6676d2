package dev.vireo.cli;

/** The command line itself is wrong: an unknown option, a missing value or argument. Exit status 2. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
