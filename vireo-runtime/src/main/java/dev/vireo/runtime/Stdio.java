package dev.vireo.runtime;

import dev.vireo.sys.Fd;

import java.nio.file.Path;

/** Where a container process's standard streams go, as ProcessBuilder's redirects say for a child. */
public record Stdio(Stream stdin, Stream stdout, Stream stderr) {

    public sealed interface Stream permits Inherit, Null, ReadFile, WriteFile, Descriptor {}

    /** The runtime's own stream of the same number. */
    public record Inherit() implements Stream {}

    public record Null() implements Stream {}

    public record ReadFile(Path path) implements Stream {}

    public record WriteFile(Path path, boolean append) implements Stream {}

    /** A descriptor the caller owns and keeps open. */
    public record Descriptor(Fd fd) implements Stream {}

    public static Stdio inherit() {
        return new Stdio(new Inherit(), new Inherit(), new Inherit());
    }

    public static Stdio nothing() {
        return new Stdio(new Null(), new Null(), new Null());
    }

    /** No input; output and errors appended to files. */
    public static Stdio toFiles(Path stdout, Path stderr) {
        return new Stdio(new Null(), new WriteFile(stdout, true), new WriteFile(stderr, true));
    }
}
