package dev.vireo.build.dockerfile;

import dev.vireo.build.dockerfile.Flags.Kind;
import dev.vireo.build.dockerfile.Instruction.KeyValue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses a Dockerfile into stages of {@link Instruction}s, checking what can be checked before
 * anything runs: known instructions, their options, argument counts, JSON where JSON is
 * required, stage names. Every error names the file, the line and the instruction.
 */
public final class DockerfileParser {
    private static final Pattern STAGE_NAME = Pattern.compile("[a-z][a-z0-9-_.]*");
    private static final Map<String, Kind> FROM_FLAGS = Map.of("platform", Kind.VALUE);
    private static final Map<String, Kind> RUN_FLAGS = Map.of("network", Kind.VALUE, "mount", Kind.REPEATED,
            "security", Kind.VALUE, "device", Kind.REPEATED);
    private static final Map<String, Kind> COPY_FLAGS = Map.of("from", Kind.VALUE, "chown", Kind.VALUE, "chmod", Kind.VALUE,
            "link", Kind.BOOL, "exclude", Kind.REPEATED, "parents", Kind.BOOL);
    private static final Map<String, Kind> ADD_FLAGS = Map.of("chown", Kind.VALUE, "chmod", Kind.VALUE, "link", Kind.BOOL,
            "exclude", Kind.REPEATED, "checksum", Kind.VALUE, "unpack", Kind.BOOL, "keep-git-dir", Kind.BOOL);
    private static final Map<String, Kind> HEALTHCHECK_FLAGS = Map.of("interval", Kind.VALUE, "timeout", Kind.VALUE,
            "start-period", Kind.VALUE, "start-interval", Kind.VALUE, "retries", Kind.VALUE);
    private static final Map<String, Kind> NONE = Map.of();

    private final String file;
    private final char escape;

    private DockerfileParser(String file, char escape) {
        this.file = file;
        this.escape = escape;
    }

    /** Parses {@code content}; {@code file} is how messages name it. */
    public static Dockerfile parse(String file, byte[] content) {
        LineReader.Result lines = LineReader.read(file, content);
        DockerfileParser parser = new DockerfileParser(file, lines.escape());
        List<Instruction.Arg> globalArgs = new ArrayList<>();
        List<Stage> stages = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Instruction.From from = null;
        List<Instruction> body = new ArrayList<>();
        for (LineReader.LogicalLine line : lines.lines()) {
            Instruction instruction = parser.instruction(line.text(), line.line(), line.heredocs());
            if (instruction instanceof Instruction.From f) {
                if (from != null) stages.add(new Stage(stages.size(), from.name(), from, body));
                if (f.name() != null && !names.add(f.name())) {
                    throw f.where().error("FROM", "duplicate stage name \"" + f.name() + "\"");
                }
                from = f;
                body = new ArrayList<>();
            } else if (from == null) {
                if (!(instruction instanceof Instruction.Arg arg)) {
                    throw instruction.where().error(instruction.keyword(), "no build stage in current context "
                            + "(only ARG may come before the first FROM)");
                }
                globalArgs.add(arg);
            } else {
                body.add(instruction);
            }
        }
        if (from == null) {
            throw new Location(file, Math.max(1, lines.lines().isEmpty() ? 1 : lines.lines().getLast().line()))
                    .error(null, lines.lines().isEmpty() ? "the Dockerfile has no instructions" : "the Dockerfile has no FROM");
        }
        stages.add(new Stage(stages.size(), from.name(), from, body));
        return new Dockerfile(file, lines.escape(), lines.syntax(), globalArgs, stages, lines.warnings());
    }

    /** Parses one ONBUILD trigger as the instruction it will be (its location: where the trigger runs). */
    public static Instruction trigger(String trigger, Location where, char escape) {
        Instruction parsed = new DockerfileParser(where.file(), escape).instruction(trigger, where.line(), List.of());
        if (parsed instanceof Instruction.From || parsed instanceof Instruction.OnBuild || parsed instanceof Instruction.Maintainer) {
            throw where.error("ONBUILD", parsed.keyword() + " isn't allowed as an ONBUILD trigger");
        }
        return parsed;
    }

    private Instruction instruction(String text, int line, List<Heredoc> heredocs) {
        String trimmed = text.strip();
        String[] split = trimmed.split("[ \\t]+", 2);
        String keyword = split[0].toUpperCase(Locale.ROOT);
        String args = split.length > 1 ? split[1] : "";
        Location at = new Location(file, line);
        return switch (keyword) {
            case "FROM" -> from(at, text, args);
            case "RUN" -> run(at, text, args, heredocs);
            case "COPY" -> copy(at, text, args, heredocs, false);
            case "ADD" -> copy(at, text, args, heredocs, true);
            case "ENV" -> new Instruction.Env(at, text, nameValues(at, keyword, noFlags(at, keyword, args)));
            case "LABEL" -> new Instruction.Label(at, text, nameValues(at, keyword, noFlags(at, keyword, args)));
            case "ARG" -> new Instruction.Arg(at, text, argDeclarations(at, noFlags(at, keyword, args)));
            case "WORKDIR" -> new Instruction.Workdir(at, text, single(at, keyword, args));
            case "USER" -> new Instruction.User(at, text, single(at, keyword, args));
            case "STOPSIGNAL" -> new Instruction.StopSignal(at, text, single(at, keyword, args));
            case "MAINTAINER" -> new Instruction.Maintainer(at, text, single(at, keyword, args));
            case "EXPOSE" -> new Instruction.Expose(at, text, atLeastOne(at, keyword, Words.split(noFlags(at, keyword, args), escape)));
            case "VOLUME" -> volume(at, text, args);
            case "CMD" -> new Instruction.Cmd(at, text, command(at, keyword, noFlags(at, keyword, args), true));
            case "ENTRYPOINT" -> new Instruction.Entrypoint(at, text, command(at, keyword, noFlags(at, keyword, args), true));
            case "SHELL" -> shell(at, text, args);
            case "HEALTHCHECK" -> healthcheck(at, text, args);
            case "ONBUILD" -> onBuild(at, text, args);
            default -> throw at.error(null, "unknown instruction: " + split[0]);
        };
    }

    private Instruction.From from(Location at, String text, String args) {
        Flags flags = Flags.parse(args, FROM_FLAGS, escape, at, "FROM");
        List<String> words = List.of(flags.rest().isEmpty() ? new String[0] : flags.rest().split("[ \\t]+"));
        String name = null;
        if (words.size() == 3 && words.get(1).equalsIgnoreCase("as")) {
            name = words.get(2).toLowerCase(Locale.ROOT);
            if (!STAGE_NAME.matcher(name).matches()) {
                throw at.error("FROM", "invalid name for build stage: \"" + words.get(2)
                        + "\", name can't start with a number or contain symbols");
            }
        } else if (words.size() != 1) {
            throw at.error("FROM", "FROM requires either one or three arguments (IMAGE [AS NAME])");
        }
        return new Instruction.From(at, text, words.getFirst(), name, flags.value("platform"));
    }

    private Instruction.Run run(Location at, String text, String args, List<Heredoc> heredocs) {
        Flags flags = Flags.parse(args, RUN_FLAGS, escape, at, "RUN");
        if (flags.has("mount")) throw at.error("RUN", "--mount is not supported by this builder");
        if (flags.has("device")) throw at.error("RUN", "--device is not supported by this builder");
        String security = flags.value("security");
        if (security != null && !security.equals("sandbox")) {
            throw at.error("RUN", "--security=" + security + " is not allowed (only sandbox)");
        }
        String network = flags.value("network");
        if (network != null && !List.of("default", "none", "host").contains(network)) {
            throw at.error("RUN", "--network must be default, none or host, not " + network);
        }
        Command command = command(at, "RUN", flags.rest(), false);
        return new Instruction.Run(at, text, command, network, heredocs);
    }

    private Instruction.Copy copy(Location at, String text, String args, List<Heredoc> heredocs, boolean add) {
        String keyword = add ? "ADD" : "COPY";
        Flags flags = Flags.parse(args, add ? ADD_FLAGS : COPY_FLAGS, escape, at, keyword);
        if (flags.bool("parents")) throw at.error(keyword, "--parents is not supported by this builder");
        if (flags.bool("keep-git-dir")) throw at.error(keyword, "--keep-git-dir: Git sources are not supported by this builder");
        List<String> json = Words.jsonArray(flags.rest());
        List<String> words = json != null ? json : List.of(flags.rest().isEmpty() ? new String[0] : flags.rest().split("[ \\t]+"));
        if (words.size() < 2) {
            throw at.error(keyword, keyword + " requires at least two arguments, but only " + words.size()
                    + " was provided. Destination could not be determined.");
        }
        return new Instruction.Copy(at, text, add, words.subList(0, words.size() - 1), words.getLast(), flags.value("from"),
                flags.value("chown"), flags.value("chmod"), flags.all("exclude"), flags.value("checksum"),
                flags.value("unpack"), heredocs);
    }

    private Instruction.Volume volume(Location at, String text, String args) {
        String rest = noFlags(at, "VOLUME", args);
        List<String> json = Words.jsonArray(rest);
        List<String> paths = json != null ? json : Words.split(rest, escape);
        atLeastOne(at, "VOLUME", paths);
        for (String p : paths) if (p.isBlank()) throw at.error("VOLUME", "VOLUME specified can not be an empty string");
        return new Instruction.Volume(at, text, paths);
    }

    private Instruction.Shell shell(Location at, String text, String args) {
        List<String> json = Words.jsonArray(noFlags(at, "SHELL", args));
        if (json == null) throw at.error("SHELL", "SHELL requires the arguments to be in JSON form");
        if (json.isEmpty()) throw at.error("SHELL", "SHELL requires at least one argument");
        return new Instruction.Shell(at, text, json);
    }

    private Instruction.Healthcheck healthcheck(Location at, String text, String args) {
        Flags flags = Flags.parse(args, HEALTHCHECK_FLAGS, escape, at, "HEALTHCHECK");
        String[] parts = flags.rest().split("[ \\t]+", 2);
        String type = parts[0].toUpperCase(Locale.ROOT);
        if (type.equals("NONE")) {
            if (parts.length > 1 || flags.has("interval") || flags.has("timeout") || flags.has("start-period")
                    || flags.has("start-interval") || flags.has("retries")) {
                throw at.error("HEALTHCHECK", "HEALTHCHECK NONE takes no arguments or options");
            }
            return new Instruction.Healthcheck(at, text, null, null, null, null, null, null);
        }
        if (!type.equals("CMD")) {
            throw at.error("HEALTHCHECK", "unknown type \"" + parts[0] + "\" in HEALTHCHECK (try CMD)");
        }
        Command test = command(at, "HEALTHCHECK", parts.length > 1 ? parts[1] : "", false);
        return new Instruction.Healthcheck(at, text, test, flags.value("interval"), flags.value("timeout"),
                flags.value("start-period"), flags.value("start-interval"), flags.value("retries"));
    }

    private Instruction.OnBuild onBuild(Location at, String text, String args) {
        String trigger = args.strip();
        if (trigger.isEmpty()) throw at.error("ONBUILD", "ONBUILD requires at least one argument");
        String keyword = trigger.split("[ \\t]+", 2)[0].toUpperCase(Locale.ROOT);
        if (keyword.equals("ONBUILD")) throw at.error("ONBUILD", "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (keyword.equals("FROM") || keyword.equals("MAINTAINER")) {
            throw at.error("ONBUILD", keyword + " isn't allowed as an ONBUILD trigger");
        }
        instruction(trigger, at.line(), List.of());
        return new Instruction.OnBuild(at, text, trigger);
    }

    /** Exec form when the arguments are a JSON array of strings, else shell form. */
    private Command command(Location at, String keyword, String args, boolean emptyJsonAllowed) {
        List<String> json = Words.jsonArray(args);
        if (json != null) {
            if (json.isEmpty() && !emptyJsonAllowed) throw at.error(keyword, keyword + " requires at least one argument");
            return new Command.Exec(json);
        }
        if (args.isBlank()) throw at.error(keyword, keyword + " requires at least one argument");
        return new Command.Shell(args);
    }

    /** ENV and LABEL: {@code k=v k2="v 2"}, or the legacy {@code KEY value with spaces}. */
    private List<KeyValue> nameValues(Location at, String keyword, String args) {
        List<String> words = Words.split(args, escape);
        if (words.isEmpty()) throw at.error(keyword, keyword + " requires at least one argument");
        if (!words.getFirst().contains("=")) {
            String[] parts = args.strip().split("[ \\t]+", 2);
            if (parts.length < 2) throw at.error(keyword, keyword + " must have two arguments (KEY VALUE) or be KEY=VALUE");
            return List.of(new KeyValue(parts[0], parts[1]));
        }
        List<KeyValue> pairs = new ArrayList<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq < 0) throw at.error(keyword, "can't find = in \"" + word + "\"; must be of the form: name=value");
            if (eq == 0) throw at.error(keyword, "a name is missing before = in \"" + word + "\"");
            pairs.add(new KeyValue(word.substring(0, eq), word.substring(eq + 1)));
        }
        return pairs;
    }

    private List<KeyValue> argDeclarations(Location at, String args) {
        List<String> words = Words.split(args, escape);
        if (words.isEmpty()) throw at.error("ARG", "ARG requires at least one argument");
        List<KeyValue> declarations = new ArrayList<>();
        for (String word : words) {
            int eq = word.indexOf('=');
            if (eq == 0) throw at.error("ARG", "a name is missing before = in \"" + word + "\"");
            declarations.add(eq < 0 ? new KeyValue(word, null) : new KeyValue(word.substring(0, eq), word.substring(eq + 1)));
        }
        return declarations;
    }

    private String noFlags(Location at, String keyword, String args) {
        return Flags.parse(args, NONE, escape, at, keyword).rest();
    }

    private String single(Location at, String keyword, String args) {
        String rest = noFlags(at, keyword, args);
        if (rest.isEmpty()) throw at.error(keyword, keyword + " requires exactly one argument");
        return rest;
    }

    private static List<String> atLeastOne(Location at, String keyword, List<String> words) {
        if (words.isEmpty()) throw at.error(keyword, keyword + " requires at least one argument");
        return words;
    }
}
