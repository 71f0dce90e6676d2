package dev.vireo.cli;

import java.util.List;

/** One top-level verb of the {@code vireo} command, such as {@code vm} or {@code runtime}. */
interface Command {
    /** A one-line description for {@code vireo help}. */
    String summary();

    /** Runs the verb with the arguments after its name; returns the process exit status. */
    int run(List<String> args) throws Exception;
}
