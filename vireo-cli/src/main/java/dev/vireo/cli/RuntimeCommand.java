package dev.vireo.cli;

import dev.vireo.runtime.ConfigException;
import dev.vireo.runtime.ContainerRuntime;
import dev.vireo.runtime.ContainerState;
import dev.vireo.runtime.ContainerStats;
import dev.vireo.runtime.CreateOptions;
import dev.vireo.runtime.ExecOptions;
import dev.vireo.runtime.ExecRequest;
import dev.vireo.runtime.ExitStatus;
import dev.vireo.runtime.Stdio;
import dev.vireo.sys.Signals;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code vireo runtime}: the OCI runtime with runc's command line, so that OCI tooling can drive
 * it: {@code [--root DIR] create|start|state|kill|delete|run|list|exec|features|spec|stats}.
 */
final class RuntimeCommand implements Command {
    private static final Path DEFAULT_ROOT = Path.of("/run/vireo");
    /** Signals {@code run} passes on to the container, as runc does (the JVM keeps QUIT and USR2 for itself). */
    private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "USR1");

    private Path logFile;
    private boolean jsonLog;

    @Override
    public String summary() {
        return "an OCI runtime with runc's verbs: create, start, state, kill, delete, run, exec, list, stats, spec, features";
    }

    private static final String USAGE = "usage: vireo runtime [--root DIR] "
            + "create|start|state|kill|delete|run|list|exec|features|spec|stats ...";

    @Override
    public int run(List<String> argv) throws Exception {
        Path root = DEFAULT_ROOT;
        int i = 0;
        // runc's global options come before the verb; containerd passes --root, --log, --log-format.
        for (; i < argv.size() && argv.get(i).startsWith("-"); i++) {
            String a = argv.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
            switch (name) {
                case "--root", "--log", "--log-format", "--criu", "--rootless" -> {
                    if (value == null) {
                        if (++i >= argv.size()) throw new UsageException("runtime: " + name + " needs a value");
                        value = argv.get(i);
                    }
                    if (name.equals("--root")) root = Path.of(value);
                    if (name.equals("--log")) logFile = Path.of(value);
                    if (name.equals("--log-format")) jsonLog = value.equals("json");
                }
                case "--debug", "--systemd-cgroup" -> {
                    if (name.equals("--systemd-cgroup")) throw new UsageException("runtime: the systemd cgroup driver is not supported");
                }
                case "--help", "-h" -> throw new HelpRequest(USAGE + "\n");
                default -> throw new UsageException("runtime: unknown option " + a);
            }
        }
        if (i >= argv.size()) throw new UsageException(USAGE);
        String verb = argv.get(i);
        List<String> rest = argv.subList(i + 1, argv.size());
        try {
            return verb(verb, rest, root);
        } catch (Exception e) {
            log("error", verb + ": " + Main.oneLine(e));
            throw e;
        }
    }

    private int verb(String verb, List<String> rest, Path root) throws IOException {
        if (verb.equals("spec")) return spec(rest);
        ContainerRuntime runtime = ContainerRuntime.open(root, w -> {
            System.err.println("vireo runtime: warning: " + w);
            log("warning", w);
        });
        return switch (verb) {
            case "create" -> create(runtime, rest);
            case "start" -> {
                runtime.start(id(Args.spec("runtime start").parse(rest)));
                yield 0;
            }
            case "state" -> {
                System.out.print(runtime.state(id(Args.spec("runtime state").parse(rest))).toJson());
                yield 0;
            }
            case "kill" -> kill(runtime, rest);
            case "delete" -> {
                Args a = Args.spec("runtime delete").flag("--force", "-f").parse(rest);
                runtime.delete(id(a), a.flag("--force"));
                yield 0;
            }
            case "run" -> run(runtime, rest);
            case "list" -> list(runtime, rest);
            case "exec" -> exec(runtime, rest);
            case "features" -> {
                System.out.print(runtime.features(VersionCommand.version()));
                yield 0;
            }
            case "stats" -> stats(runtime, rest);
            default -> throw new UsageException("runtime: unknown verb '" + verb + "'");
        };
    }

    private static Args.Spec createOptions(String verb) {
        return Args.spec("runtime " + verb).option("--bundle", "-b").option("--console-socket").option("--pid-file")
                .option("--preserve-fds").flag("--no-pivot").flag("--no-new-keyring");
    }

    private static CreateOptions createOptions(Args a, boolean detached) {
        return new CreateOptions(Stdio.inherit(), a.value("--pid-file").map(Path::of).orElse(null),
                a.value("--console-socket").map(Path::of).orElse(null), preserveFds(a), a.flag("--no-pivot"), detached);
    }

    private static int preserveFds(Args a) {
        String n = a.value("--preserve-fds").orElse("0");
        try {
            int count = Integer.parseInt(n);
            if (count < 0) throw new NumberFormatException();
            return count;
        } catch (NumberFormatException e) {
            throw new UsageException("--preserve-fds " + n + ": not a count");
        }
    }

    private static Path bundle(Args a) {
        return Path.of(a.value("--bundle").orElse("."));
    }

    private int create(ContainerRuntime runtime, List<String> rest) {
        Args a = createOptions("create").parse(rest);
        runtime.create(id(a), bundle(a), createOptions(a, true));
        return 0;
    }

    private int run(ContainerRuntime runtime, List<String> rest) {
        Args a = createOptions("run").flag("--detach", "-d").flag("--keep").parse(rest);
        String id = id(a);
        if (a.flag("--detach")) {
            runtime.create(id, bundle(a), createOptions(a, true));
            runtime.start(id);
            return 0;
        }
        for (String name : FORWARDED) {
            Signal.handle(new Signal(name), s -> {
                try {
                    runtime.kill(id, s.getNumber(), false);
                } catch (RuntimeException e) {
                    log("warning", "cannot pass " + Signals.name(s.getNumber()) + " on: " + e.getMessage());
                }
            });
        }
        ExitStatus exit = runtime.run(id, bundle(a), createOptions(a, false));
        if (exit instanceof ExitStatus.OomKilled) {
            System.err.println("vireo runtime: container " + id + " was killed by the OOM killer (its memory limit)");
        }
        return exit.code();
    }

    private int kill(ContainerRuntime runtime, List<String> rest) {
        Args a = Args.spec("runtime kill").flag("--all", "-a").parse(rest);
        String signal = a.positionals().size() > 1 ? a.positionals().get(1) : "SIGTERM";
        if (a.positionals().size() > 2) throw new UsageException("usage: vireo runtime kill [--all] ID [SIGNAL]");
        runtime.kill(a.positional(0, "container ID"), Signals.parse(signal), a.flag("--all"));
        return 0;
    }

    private int list(ContainerRuntime runtime, List<String> rest) {
        Args a = Args.spec("runtime list").option("--format", "-f").flag("--quiet", "-q").parse(rest);
        List<ContainerState> states = runtime.list();
        String format = a.value("--format").orElse("table");
        if (a.flag("--quiet")) {
            states.forEach(s -> System.out.println(s.id()));
        } else if (format.equals("json")) {
            System.out.print(ContainerState.toJson(states));
        } else if (format.equals("table")) {
            System.out.printf("%-20s %-8s %-9s %-40s %s%n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
            for (ContainerState s : states) {
                System.out.printf("%-20s %-8d %-9s %-40s %s%n", s.id(), s.pid(), s.status(), s.bundle(), s.created());
            }
        } else {
            throw new UsageException("list --format: table or json, not " + format);
        }
        return 0;
    }

    private int exec(ContainerRuntime runtime, List<String> rest) throws IOException {
        Args a = Args.spec("runtime exec").option("--console-socket").option("--cwd").option("--env", "-e").option("--user", "-u")
                .option("--additional-gids", "-g").option("--process", "-p").option("--pid-file").option("--cap", "-c")
                .option("--preserve-fds").option("--process-label").option("--apparmor").flag("--tty", "-t")
                .flag("--detach", "-d").flag("--no-new-privs").flag("--ignore-paused").stopAtFirstPositional().parse(rest);
        String id = a.positional(0, "container ID");
        List<String> command = new ArrayList<>(a.positionals().subList(1, a.positionals().size()));
        if (!command.isEmpty() && command.getFirst().equals("--")) command.removeFirst();
        String process = a.value("--process").isPresent() ? Files.readString(Path.of(a.value("--process").get())) : null;
        if (process == null && command.isEmpty()) throw new UsageException("usage: vireo runtime exec [OPTIONS] ID [--] COMMAND...");
        List<Long> gids = a.values("--additional-gids").isEmpty() ? null
                : a.values("--additional-gids").stream().map(Long::parseLong).toList();
        ExecRequest request = new ExecRequest(process, command.isEmpty() ? null : command, a.values("--env"),
                a.value("--cwd").orElse(null), a.value("--user").orElse(null), gids, a.flag("--tty") ? Boolean.TRUE : null,
                a.values("--cap").isEmpty() ? null : a.values("--cap"), a.flag("--no-new-privs") ? Boolean.TRUE : null);
        ExecOptions options = new ExecOptions(Stdio.inherit(), a.value("--pid-file").map(Path::of).orElse(null),
                a.value("--console-socket").map(Path::of).orElse(null), preserveFds(a), a.flag("--detach"));
        ContainerRuntime.Exec exec = runtime.exec(id, request, options);
        return exec.exit() == null ? 0 : exec.exit().code();
    }

    private int stats(ContainerRuntime runtime, List<String> rest) {
        ContainerStats stats = runtime.stats(id(Args.spec("runtime stats").parse(rest)));
        System.out.print(stats.toJson());
        return 0;
    }

    /** {@code spec}: Docker's default config.json, running {@code sh} or the command after {@code --}. */
    private int spec(List<String> rest) throws IOException {
        Args a = Args.spec("runtime spec").option("--bundle", "-b").flag("--rootless").parse(rest);
        if (a.flag("--rootless")) throw new UsageException("spec --rootless: rootless containers are not supported");
        List<String> args = a.positionals().isEmpty() ? List.of("sh") : a.positionals();
        Path file = bundle(a).resolve("config.json");
        if (Files.exists(file)) throw new ConfigException(file + " exists: remove it first");
        ContainerRuntime runtime = ContainerRuntime.open(DEFAULT_ROOT, w -> { });
        Files.writeString(file, runtime.defaultSpec(args), StandardOpenOption.CREATE_NEW);
        return 0;
    }

    private static String id(Args a) {
        if (a.positionals().size() != 1) throw new UsageException("expected exactly one container ID");
        return a.positionals().getFirst();
    }

    /** runc's --log: a line per error or warning, as text or as logrus JSON (what containerd reads). */
    private void log(String level, String message) {
        if (logFile == null) return;
        String line = jsonLog
                ? "{\"level\":\"" + level + "\",\"msg\":" + quote(message) + ",\"time\":\"" + Instant.now() + "\"}\n"
                : Instant.now() + " " + level.toUpperCase(Locale.ROOT) + " " + message + "\n";
        try {
            Files.writeString(logFile, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("vireo runtime: cannot write the log " + logFile + ": " + e.getMessage());
        }
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }
}
