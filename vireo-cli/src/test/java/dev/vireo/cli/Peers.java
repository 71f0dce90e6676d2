package dev.vireo.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ./vireo and the peers (skopeo, docker-registry, openssl, htpasswd) for end-to-end tests. */
final class Peers {
    private Peers() {}

    record Result(int exit, String output) {}

    /** Runs a command to completion (at most 5 minutes), output and errors together. */
    static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        return new Result(process.exitValue(), output);
    }

    static Result run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }

    static String ok(String... command) throws IOException, InterruptedException {
        Result result = run(command);
        if (result.exit() != 0) throw new AssertionError(String.join(" ", command) + " failed (" + result.exit() + "):\n" + result.output());
        return result.output();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A long-running process that is killed (SIGKILL) when closed. */
    static final class Daemon implements AutoCloseable {
        final Process process;
        final List<String> lines = new ArrayList<>();

        Daemon(Process process) {
            this.process = process;
        }

        /** Starts {@code command} and waits until it prints a line containing {@code ready} (or exits). */
        static Daemon start(String ready, List<String> command) throws IOException {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Daemon daemon = new Daemon(process);
            BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                daemon.lines.add(line);
                if (line.contains(ready)) break;
            }
            if (line == null) throw new IOException(command + " exited before it was ready:\n" + String.join("\n", daemon.lines));
            Thread.ofVirtual().start(() -> {
                try {
                    reader.transferTo(java.io.Writer.nullWriter());
                } catch (IOException e) {
                    // the process was killed
                }
            });
            return daemon;
        }

        String lastLine() {
            return lines.getLast();
        }

        void kill9() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            kill9();
        }
    }

    /** {@code ./vireo registry serve} on a free port; the line it prints names the URL. */
    static Daemon vireoRegistry(Path root, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Project.VIREO.toString(), "registry", "serve", "--listen", "127.0.0.1:0", "--root", root.toString()));
        command.addAll(List.of(extra));
        return Daemon.start("serving", command);
    }

    /** {@code host:port} from the serve line. */
    static String hostPort(Daemon registry) {
        String line = registry.lastLine();
        int scheme = line.indexOf("://");
        return line.substring(scheme + 3, line.indexOf(' ', scheme));
    }

    /** Debian's docker-registry (distribution 2.8) on {@code port}, storing under {@code root}. */
    static Daemon dockerRegistry(Path root, int port) throws IOException, InterruptedException {
        Path config = Files.writeString(root.resolveSibling(root.getFileName() + ".yml"), """
                version: 0.1
                log:
                  level: info
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(root, port));
        return Daemon.start("listening on", List.of("docker-registry", "serve", config.toString()));
    }
}
