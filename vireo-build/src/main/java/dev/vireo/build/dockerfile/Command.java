package dev.vireo.build.dockerfile;

import java.util.List;

/** The argument of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD: exec form (a JSON array) or shell form. */
public sealed interface Command {
    /** {@code ["executable", "arg"]}: run as given, no shell. */
    record Exec(List<String> args) implements Command {
        public Exec {
            args = List.copyOf(args);
        }
    }

    /** {@code command arg}: run by the stage's SHELL. */
    record Shell(String script) implements Command {}

    /** What runs: exec form as it is, shell form after the shell. */
    default List<String> argv(List<String> shell) {
        return switch (this) {
            case Exec e -> e.args();
            case Shell s -> {
                List<String> argv = new java.util.ArrayList<>(shell);
                argv.add(s.script());
                yield List.copyOf(argv);
            }
        };
    }
}
