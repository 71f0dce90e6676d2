package dev.vireo.containers;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A container as {@code <root>/containers/<id>/container.json} records it: where it came from,
 * what it runs, and its lifecycle: made ({@link Status#CREATED}), running under a monitor
 * process, and ended with an exit code and a finish time ({@link Status#EXITED}).
 *
 * @param image       the image as the user named it
 * @param imageId     the image ID (digest of its config)
 * @param command     {@code process.args}
 * @param config      the image's configuration with this container's overrides: what {@code commit} records
 * @param pid         the container's process while it runs; {@code pidStart} tells it from a later process with that number
 * @param monitor     the process that waits for it and records its exit (the foreground {@code vireo run}, or a detached monitor)
 * @param exitCode    the shell's convention (128 + signal when killed); null while it runs, or when no monitor saw the end
 * @param interactive its stdin stays open ({@code -i}): this process's when attached, else a pipe nobody writes to
 * @param error       why it could not start, when it could not
 */
public record Container(String id, String name, String image, String imageId, Instant created, List<String> command,
                        Config config, String stopSignal, boolean autoRemove, boolean tty, boolean interactive, Status status, int pid,
                        long pidStart, int monitor, long monitorStart, Instant startedAt, Instant finishedAt,
                        Integer exitCode, boolean oomKilled, String error) {

    public enum Status {
        CREATED("created"), RUNNING("running"), EXITED("exited");

        private final String text;

        Status(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }

        public static Status parse(String text) {
            for (Status s : values()) if (s.text.equals(text)) return s;
            throw new IllegalArgumentException("unknown container status '" + text + "'");
        }
    }

    /** The execution parameters this container ran with, in image-config terms (Docker's container Config). */
    public record Config(List<String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user) {
        public Config {
            env = env == null ? List.of() : List.copyOf(env);
            entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
            cmd = cmd == null ? null : List.copyOf(cmd);
        }
    }

    public Container {
        command = List.copyOf(command);
    }

    /** The first 12 hex digits, as {@code ps} shows it. */
    public String shortId() {
        return id.substring(0, 12);
    }

    public boolean running() {
        return status == Status.RUNNING;
    }

    public Container withName(String n) {
        return new Container(id, n, image, imageId, created, command, config, stopSignal, autoRemove, tty, interactive, status, pid,
                pidStart, monitor, monitorStart, startedAt, finishedAt, exitCode, oomKilled, error);
    }

    public Container started(int processId, long processStart, int monitorPid, long monitorStarted, Instant at) {
        return new Container(id, name, image, imageId, created, command, config, stopSignal, autoRemove, tty, interactive,
                Status.RUNNING, processId, processStart, monitorPid, monitorStarted, at, null, null, false, null);
    }

    public Container exited(Integer code, boolean oom, Instant at, String why) {
        return new Container(id, name, image, imageId, created, command, config, stopSignal, autoRemove, tty, interactive,
                Status.EXITED, 0, 0, 0, 0, startedAt, at, code, oom, why);
    }

    /** Still only created: it could not start, for the reason given. */
    public Container failed(String why) {
        return new Container(id, name, image, imageId, created, command, config, stopSignal, autoRemove, tty, interactive,
                Status.CREATED, 0, 0, 0, 0, null, null, null, false, why);
    }

    /** Docker's STATUS column: {@code Up 3 minutes}, {@code Exited (0) 2 seconds ago}, {@code Created}. */
    public String describe(Instant now) {
        return switch (status) {
            case CREATED -> error == null ? "Created" : "Created (failed to start)";
            case RUNNING -> "Up " + human(Duration.between(startedAt, now));
            case EXITED -> "Exited (" + (exitCode == null ? "unknown" : exitCode) + ") "
                    + (finishedAt == null ? "" : human(Duration.between(finishedAt, now)) + " ago");
        };
    }

    /** How Docker words a duration: "Less than a second", "5 seconds", "About a minute", "3 hours". */
    public static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 1) return "Less than a second";
        if (s < 60) return s == 1 ? "1 second" : s + " seconds";
        long m = s / 60;
        if (m == 1) return "About a minute";
        if (m < 60) return m + " minutes";
        long h = m / 60;
        if (h == 1) return "About an hour";
        if (h < 48) return h + " hours";
        long days = h / 24;
        if (days < 14) return days + " days";
        if (days < 60) return days / 7 + " weeks";
        if (days < 730) return days / 30 + " months";
        return days / 365 + " years";
    }
}
