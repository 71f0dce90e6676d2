package dev.vireo.cli;

import dev.vireo.containers.BadInputException;
import dev.vireo.containers.BindMount;
import dev.vireo.containers.Container;
import dev.vireo.containers.Containers;
import dev.vireo.containers.RunOptions;
import dev.vireo.containers.StartFailedException;
import dev.vireo.image.Image;
import dev.vireo.image.ImageStore;
import dev.vireo.oci.Digest;
import dev.vireo.runtime.ContainerRuntime;
import dev.vireo.runtime.ExitStatus;
import dev.vireo.sys.NativeAccess;
import dev.vireo.sys.Signals;
import sun.misc.Signal;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Containers from images, podman's way (no daemon): {@code vireo run}, {@code ps}, {@code logs},
 * {@code stop}, {@code rm}, {@code exec}, {@code commit}, also as {@code vireo container VERB}.
 *
 * <p>Exit statuses: {@code run} and {@code exec} pass the container's own status through, so
 * their own failures use Docker's codes: 125 Vireo failed (bad input included: the
 * container's program may well exit 1 or 2 itself), 126 the command cannot be invoked, 127
 * it was not found. The other verbs follow the rest of vireo: 2 bad input, 1 failure.
 */
final class ContainerCommand implements Command {
    /** Signals {@code run} passes on to the container (the JVM keeps QUIT and USR2 for itself). */
    private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "USR1");
    private static final String VERBS = "run, ps, logs, stop, rm, exec, commit";

    private final String alias;

    ContainerCommand() {
        this(null);
    }

    /** A top-level verb: {@code vireo run} is {@code vireo container run}. */
    ContainerCommand(String alias) {
        this.alias = alias;
    }

    @Override
    public String summary() {
        return switch (alias == null ? "" : alias) {
            case "run" -> "run a command in a new container from an image";
            case "ps" -> "list containers";
            case "logs" -> "print (and follow) a container's output";
            case "stop" -> "stop a running container: its stop signal, then SIGKILL";
            case "rm" -> "remove containers";
            case "exec" -> "run a command in a running container";
            case "commit" -> "make an image of a container's changes";
            default -> "containers: " + VERBS;
        };
    }

    @Override
    public int run(List<String> args) throws Exception {
        String verb = alias;
        List<String> rest = args;
        if (verb == null) {
            if (args.isEmpty()) throw new UsageException("usage: vireo container " + VERBS.replace(", ", "|") + " [ARGS...]");
            verb = args.getFirst();
            rest = args.subList(1, args.size());
        }
        return switch (verb) {
            case "run" -> passingThrough("run", rest, true);
            case "exec" -> passingThrough("exec", rest, false);
            case "ps", "ls", "list" -> ps(rest);
            case "logs" -> logs(rest);
            case "stop" -> stop(rest);
            case "rm", "remove" -> remove(rest);
            case "commit" -> commit(rest);
            case "monitor" -> monitor(rest);
            default -> throw new UsageException("unknown verb '" + verb + "' (" + VERBS + ")");
        };
    }

    private static Args.Spec spec(String verb) {
        return Args.spec(verb).option("--root");
    }

    private static Path root(Args args) {
        return args.value("--root").map(Path::of).orElseGet(ImageStore::defaultRoot);
    }

    private static Containers containers(Args args) {
        return Containers.open(root(args), w -> System.err.println("vireo: warning: " + w));
    }

    /** {@code run} and {@code exec}: their own failures become 125, 126 or 127, as Docker's do. */
    private int passingThrough(String verb, List<String> rest, boolean run) throws Exception {
        try {
            return run ? runContainer(rest) : exec(rest);
        } catch (StartFailedException e) {
            System.err.println("vireo " + verb + ": " + e.getMessage());
            return e.exitStatus();
        } catch (HelpRequest help) {
            throw help;
        } catch (Exception e) {
            if (System.getenv("VIREO_DEBUG") != null) throw e;
            System.err.println("vireo " + verb + ": " + Main.oneLine(e));
            return StartFailedException.ENGINE;
        }
    }

    private int runContainer(List<String> argv) throws Exception {
        prepareInBackground();
        Args a = spec("run").flag("--rm").flag("--detach", "-d").flag("--interactive", "-i").flag("--tty", "-t")
                .option("--name").option("--env", "-e").option("--volume", "-v").option("--memory", "-m")
                .option("--memory-swap").option("--cpus").option("--pids-limit").option("--hostname", "-h")
                .option("--workdir", "-w").option("--user", "-u").option("--entrypoint").option("--network", "--net")
                .stopAtFirstPositional().parse(argv);
        String image = a.positional(0, "image (usage: vireo run [OPTIONS] IMAGE [COMMAND [ARG...]])");
        List<String> command = a.positionals().subList(1, a.positionals().size());
        RunOptions.Builder options = RunOptions.builder()
                .env(environment(a.values("--env")))
                .hostname(a.value("--hostname").orElse(null))
                .workdir(a.value("--workdir").orElse(null))
                .user(a.value("--user").orElse(null))
                .terminal(a.flag("--tty"))
                .hostNetwork(network(a.value("--network").orElse("none")));
        for (String v : a.values("--volume")) options.bind(BindMount.parse(v));
        a.value("--memory").ifPresent(m -> options.memory(RunOptions.parseBytes(m, "--memory")));
        a.value("--memory-swap").ifPresent(m -> options.memorySwap(m.equals("-1") ? -1L : RunOptions.parseBytes(m, "--memory-swap")));
        a.value("--cpus").ifPresent(c -> options.nanoCpus(RunOptions.parseCpus(c)));
        a.value("--pids-limit").ifPresent(p -> options.pidsLimit(number(p, "--pids-limit")));
        a.value("--entrypoint").ifPresent(e -> options.entrypoint(e.isEmpty() ? List.of() : List.of(e)));
        if (!command.isEmpty()) options.cmd(command);
        Containers containers = containers(a);
        Containers.CreateRequest request = new Containers.CreateRequest(image, a.value("--name").orElse(null),
                options.build(), a.flag("--rm"), a.flag("--interactive"));
        ProgressPrinter progress = new ProgressPrinter(false);
        Container c = containers.create(request, progress);
        progress.done();
        if (a.flag("--detach")) {
            containers.start(c, monitorCommand(root(a)));
            System.out.println(c.id());
            return 0;
        }
        for (String name : FORWARDED) {
            Signal.handle(new Signal(name), s -> containers.kill(c, s.getNumber()));
        }
        ExitStatus exit = containers.run(c);
        if (exit instanceof ExitStatus.OomKilled) {
            System.err.println("vireo run: container " + c.name() + " was killed by the OOM killer (its memory limit)");
        }
        return exit.code();
    }

    /**
     * Starts, on another thread, the one-time set-up a container run needs and the main thread
     * reaches only later: the linking of native calls (the first mount), the runtime's helper
     * image and default seccomp profile, and the JDK's security providers behind SHA-256 (the
     * store verifies every document it reads; the main thread, which needs them first, mostly
     * initialises them itself while this thread links). On an idle second
     * core that is 20-40 ms off {@code vireo run}; class initialisation happens once, so the
     * main thread, if it gets there first, waits for it rather than doing it again. A failure
     * here is left for the main thread to meet and report.
     */
    private static void prepareInBackground() {
        Thread.ofPlatform().daemon().name("vireo-prepare").start(() -> {
            try {
                NativeAccess.prepare();
                ContainerRuntime.prepare();
                Digest.newSha256();
            } catch (RuntimeException | Error e) {
                // The main thread meets the same failure where it can report it.
            }
        });
    }

    /** {@code -e NAME} takes NAME's value here, or leaves it out when this environment has none (Docker's rule). */
    private static List<String> environment(List<String> entries) {
        List<String> env = new ArrayList<>();
        for (String e : entries) {
            if (e.contains("=")) {
                env.add(e);
            } else if (System.getenv(e) != null) {
                env.add(e + "=" + System.getenv(e));
            }
        }
        return env;
    }

    private static boolean network(String mode) {
        return switch (mode) {
            case "host" -> true;
            case "none", "private" -> false;
            default -> throw new BadInputException("--network " + mode + ": host or none (this engine makes no bridge networks)");
        };
    }

    private static long number(String text, String what) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new BadInputException("invalid " + what + " '" + text + "': not a number");
        }
    }

    /**
     * How to start this program again as the detached monitor: the same JVM and options, read
     * from /proc/self/cmdline up to the main module, then {@code container monitor --root R}.
     */
    private static List<String> monitorCommand(Path root) throws IOException {
        String[] self = new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), StandardCharsets.UTF_8).split("\0");
        List<String> command = new ArrayList<>();
        for (int i = 0; i < self.length; i++) {
            command.add(self[i]);
            if ((self[i].equals("-m") || self[i].equals("--module")) && i + 1 < self.length) {
                command.add(self[i + 1]);
                command.addAll(List.of("container", "monitor", "--root", root.toAbsolutePath().toString()));
                return command;
            }
        }
        throw new IllegalStateException("cannot tell how this JVM was started (no -m in /proc/self/cmdline)");
    }

    /** {@code container monitor ID}: the detached monitor that {@code run -d} starts; not for people. */
    private int monitor(List<String> argv) throws IOException {
        Args a = spec("container monitor").parse(argv);
        containers(a).monitor(a.positional(0, "container ID"));
        return 0;
    }

    private int exec(List<String> argv) throws IOException {
        Args a = spec("exec").flag("--interactive", "-i").flag("--tty", "-t").option("--env", "-e")
                .option("--workdir", "-w").option("--user", "-u").stopAtFirstPositional().parse(argv);
        String name = a.positional(0, "container (usage: vireo exec [OPTIONS] CONTAINER COMMAND [ARG...])");
        List<String> command = a.positionals().subList(1, a.positionals().size());
        if (command.isEmpty()) throw new UsageException("exec: no command (usage: vireo exec [OPTIONS] CONTAINER COMMAND [ARG...])");
        return containers(a).exec(name, new Containers.ExecCommand(command, environment(a.values("--env")),
                a.value("--workdir").orElse(null), a.value("--user").orElse(null), a.flag("--interactive"), a.flag("--tty")));
    }

    private int ps(List<String> argv) throws IOException {
        Args a = spec("ps").flag("--all", "-a").flag("--quiet", "-q").flag("--no-trunc").parse(argv);
        boolean full = a.flag("--no-trunc");
        Instant now = Instant.now();
        Table table = new Table(List.of("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"));
        for (Container c : containers(a).list().reversed()) {
            if (!a.flag("--all") && !c.running()) continue;
            if (a.flag("--quiet")) {
                System.out.println(full ? c.id() : c.shortId());
                continue;
            }
            String command = '"' + String.join(" ", c.command()) + '"';
            if (!full && command.length() > 22) command = command.substring(0, 19) + "…\"";
            table.add(List.of(full ? c.id() : c.shortId(), c.image(), command, ImageCommand.ago(c.created()),
                    c.describe(now), c.name()));
        }
        if (!a.flag("--quiet")) table.print(System.out);
        return 0;
    }

    private int logs(List<String> argv) throws IOException, InterruptedException {
        Args a = spec("logs").flag("--follow", "-f").flag("--timestamps", "-t").parse(argv);
        OutputStream out = new FileOutputStream(FileDescriptor.out), err = new FileOutputStream(FileDescriptor.err);
        boolean timestamps = a.flag("--timestamps");
        containers(a).logs(a.positional(0, "container"), a.flag("--follow"), (stream, time, content, offset, length, eol) -> {
            OutputStream to = stream == 2 ? err : out;
            if (timestamps) to.write((time + " ").getBytes(StandardCharsets.US_ASCII));
            to.write(content, offset, length);
            if (eol) to.write('\n');
        });
        return 0;
    }

    private int stop(List<String> argv) throws IOException {
        Args a = spec("stop").option("--time", "-t").parse(argv);
        if (a.positionals().isEmpty()) throw new UsageException("usage: vireo stop [-t SECONDS] CONTAINER...");
        Duration timeout = Duration.ofSeconds(number(a.value("--time").orElse("10"), "--time"));
        if (timeout.isNegative()) throw new BadInputException("--time must not be negative");
        Containers containers = containers(a);
        for (String name : a.positionals()) {
            containers.stop(name, timeout);
            System.out.println(name);
        }
        return 0;
    }

    private int remove(List<String> argv) throws IOException {
        Args a = spec("rm").flag("--force", "-f").parse(argv);
        if (a.positionals().isEmpty()) throw new UsageException("usage: vireo rm [-f] CONTAINER...");
        Containers containers = containers(a);
        for (String name : a.positionals()) {
            containers.remove(name, a.flag("--force"));
            System.out.println(name);
        }
        return 0;
    }

    private int commit(List<String> argv) throws IOException {
        Args a = spec("commit").option("--author", "-a").option("--message", "-m").parse(argv);
        String name = a.positional(0, "container (usage: vireo commit CONTAINER [IMAGE[:TAG]])");
        if (a.positionals().size() > 2) throw new UsageException("usage: vireo commit CONTAINER [IMAGE[:TAG]]");
        String image = a.positionals().size() > 1 ? a.positionals().get(1) : null;
        Image made = containers(a).commit(name, image, a.value("--author").orElse(null), a.value("--message").orElse(null));
        System.out.println(made.id());
        return 0;
    }
}
