package dev.vireo.runtime;

/** How a container's process ended. */
public sealed interface ExitStatus {
    /** The shell's convention: the exit status, or 128 plus the signal's number. */
    int code();

    record Exited(int status) implements ExitStatus {
        @Override
        public int code() {
            return status;
        }
    }

    record Killed(int signal) implements ExitStatus {
        @Override
        public int code() {
            return 128 + signal;
        }
    }

    /** Killed by the kernel's OOM killer because the container reached its memory limit. */
    record OomKilled(int signal) implements ExitStatus {
        @Override
        public int code() {
            return 128 + signal;
        }
    }
}
