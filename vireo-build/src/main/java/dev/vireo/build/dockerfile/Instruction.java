package dev.vireo.build.dockerfile;

import java.util.List;

/**
 * One Dockerfile instruction, parsed but not yet evaluated: words are as written (quotes and
 * variables in place), because what they mean depends on the ENV and ARG values in effect when
 * the instruction runs. {@link #text()} is the instruction with its continuations joined.
 */
public sealed interface Instruction {
    Location where();

    String text();

    /** A {@code key=value} word pair of ENV, LABEL or ARG (value null: an ARG without a default). */
    record KeyValue(String key, String value) {}

    record From(Location where, String text, String image, String name, String platform) implements Instruction {}

    record Run(Location where, String text, Command command, String network, List<Heredoc> heredocs) implements Instruction {}

    /** COPY, or ADD when {@code add}: sources (or here-document markers) and the destination. */
    record Copy(Location where, String text, boolean add, List<String> sources, String destination, String from,
                String chown, String chmod, List<String> excludes, String checksum, String unpack,
                List<Heredoc> heredocs) implements Instruction {}

    record Env(Location where, String text, List<KeyValue> pairs) implements Instruction {}

    record Arg(Location where, String text, List<KeyValue> args) implements Instruction {}

    record Workdir(Location where, String text, String path) implements Instruction {}

    record User(Location where, String text, String user) implements Instruction {}

    record Label(Location where, String text, List<KeyValue> labels) implements Instruction {}

    record Expose(Location where, String text, List<String> ports) implements Instruction {}

    record Volume(Location where, String text, List<String> paths) implements Instruction {}

    record Cmd(Location where, String text, Command command) implements Instruction {}

    record Entrypoint(Location where, String text, Command command) implements Instruction {}

    record Shell(Location where, String text, List<String> shell) implements Instruction {}

    record StopSignal(Location where, String text, String signal) implements Instruction {}

    /** HEALTHCHECK CMD with its options as written, or HEALTHCHECK NONE ({@code test} null). */
    record Healthcheck(Location where, String text, Command test, String interval, String timeout, String startPeriod,
                       String startInterval, String retries) implements Instruction {}

    /** A trigger stored in the image for builds FROM it; {@code trigger} is the instruction's text. */
    record OnBuild(Location where, String text, String trigger) implements Instruction {}

    record Maintainer(Location where, String text, String name) implements Instruction {}

    /** The instruction's name, upper case, as messages show it. */
    default String keyword() {
        return switch (this) {
            case From _ -> "FROM";
            case Run _ -> "RUN";
            case Copy c -> c.add() ? "ADD" : "COPY";
            case Env _ -> "ENV";
            case Arg _ -> "ARG";
            case Workdir _ -> "WORKDIR";
            case User _ -> "USER";
            case Label _ -> "LABEL";
            case Expose _ -> "EXPOSE";
            case Volume _ -> "VOLUME";
            case Cmd _ -> "CMD";
            case Entrypoint _ -> "ENTRYPOINT";
            case Shell _ -> "SHELL";
            case StopSignal _ -> "STOPSIGNAL";
            case Healthcheck _ -> "HEALTHCHECK";
            case OnBuild _ -> "ONBUILD";
            case Maintainer _ -> "MAINTAINER";
        };
    }
}
