package dev.vireo.build;

/**
 * A step that could not be carried out although the Dockerfile is well formed: a RUN whose
 * command exited with a non-zero status or was killed. The message says which step, where it
 * is in the Dockerfile, and the status. The build failed, so the CLI exits 1.
 */
public final class StepFailedException extends RuntimeException {
    private final int status;

    public StepFailedException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The command's exit status (128 + signal when it was killed). */
    public int status() {
        return status;
    }
}
