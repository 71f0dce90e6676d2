package dev.vireo.cli;

import dev.vireo.runtime.ContainerException;
import dev.vireo.sys.SysException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Entry point of {@code vireo}. Dispatches to one {@link Command} per area and turns every
 * failure into one line on stderr and an exit status: 2 for bad usage or bad input, 1 for a
 * failure of the operation. {@code VIREO_DEBUG=1} lets the exception through with its trace.
 */
public final class Main {
    private Main() {}

    private static Map<String, Command> commands() {
        Map<String, Command> commands = new LinkedHashMap<>();
        commands.put("version", new VersionCommand());
        commands.put("vm", new VmCommand());
        commands.put("image", new ImageCommand());
        commands.put("images", new ImageCommand("ls"));
        commands.put("rmi", new ImageCommand("rm"));
        commands.put("registry", new RegistryCommand());
        commands.put("push", new TransferCommand(true));
        commands.put("pull", new TransferCommand(false));
        commands.put("runtime", new RuntimeCommand());
        commands.put("container", new ContainerCommand());
        for (String verb : List.of("run", "ps", "logs", "stop", "rm", "exec", "commit")) {
            commands.put(verb, new ContainerCommand(verb));
        }
        commands.put("build", new BuildCommand(false));
        commands.put("builder", new BuildCommand(true));
        return commands;
    }

    public static void main(String[] argv) throws Exception {
        int status = run(argv);
        // Not System.exit: since JDK 21 it first looks up a System.Logger to log the exit, a
        // service search that opens every jar of the module path (10 ms of a 200 ms vireo run).
        // Nothing here registers a shutdown hook; what is written is flushed here.
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    static int run(String[] argv) throws Exception {
        Map<String, Command> commands = commands();
        if (argv.length == 0 || argv[0].equals("help") || argv[0].equals("--help") || argv[0].equals("-h")) {
            printHelp(commands);
            return argv.length == 0 ? 2 : 0;
        }
        Command command = commands.get(argv[0]);
        if (command == null) {
            System.err.println("vireo: unknown command '" + argv[0] + "' (try 'vireo help')");
            return 2;
        }
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        try {
            return command.run(rest);
        } catch (HelpRequest help) {
            System.out.print(help.getMessage());
            return 0;
        } catch (Exception | Error e) {
            if (System.getenv("VIREO_DEBUG") != null) throw e;
            System.err.println("vireo " + argv[0] + ": " + oneLine(e));
            return exitStatus(e);
        }
    }

    static int exitStatus(Throwable e) {
        return switch (e) {
            case UsageException _, IllegalArgumentException _ -> 2;
            default -> 1;
        };
    }

    /** The message a user can act on; the exception's type only where it has no message. */
    static String oneLine(Throwable e) {
        Throwable shown = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String message = shown.getMessage();
        if (shown instanceof SysException || shown instanceof UsageException || shown instanceof IllegalArgumentException
                || shown instanceof ContainerException) {
            return message;
        }
        if (shown instanceof IOException && message != null) {
            return message;
        }
        String type = shown.getClass().getSimpleName();
        String line = message == null ? type : type + ": " + message;
        return line.replace('\n', ' ');
    }

    private static void printHelp(Map<String, Command> commands) {
        System.out.println("usage: vireo COMMAND [ARGS...]");
        System.out.println();
        commands.forEach((name, command) -> System.out.printf("  %-10s %s%n", name, command.summary()));
    }
}
