package dev.vireo.vmm;

/**
 * A migration did not complete. The message says what happened and where the VM is now:
 * still running at the source, refused by the destination, or lost at the destination with
 * its memory kept at the source.
 */
public final class MigrationException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Where the VM is after the failure. */
    public enum Outcome {
        /** The destination refused before anything was paused. */
        REFUSED,
        /** The source VM runs on as before. */
        SOURCE_RUNNING,
        /** The guest ended at the source (powered off, failed) before it could move. */
        GUEST_ENDED,
        /** Post-copy broke: the destination cannot run the VM; the source keeps it paused with all its memory. */
        LOST_AT_DESTINATION
    }

    private final Outcome outcome;

    public MigrationException(Outcome outcome, String message) {
        super(message);
        this.outcome = outcome;
    }

    public Outcome outcome() {
        return outcome;
    }
}
