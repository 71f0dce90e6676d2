package dev.vireo.cli;

import dev.vireo.image.Image;
import dev.vireo.image.ImageConfig;
import dev.vireo.oci.ImageRef;
import dev.vireo.image.ImageStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vireo run}, {@code ps}, {@code logs}, {@code stop}, {@code rm}, {@code exec} and
 * {@code commit} end to end through the built ./vireo, on one busybox store for the class.
 */
class ContainerCommandIT {
    private static final Path PROJECT = Path.of("..").toAbsolutePath().normalize();
    private static Path dir;
    private static Path root;

    record Result(int status, String out, String err) {}

    @BeforeAll
    static void busyboxStore() throws Exception {
        boolean isRoot = "root".equals(System.getProperty("user.name"));
        if (!isRoot) System.err.println("skipping: containers need root (namespaces, overlay, cgroups)");
        Assumptions.assumeTrue(isRoot, "needs root");
        dir = Files.createTempDirectory("vireo-containers-it");
        root = dir.resolve("state");
        Result made = run(List.of(PROJECT.resolve("scripts/make-busybox-image").toString(), "--quiet", "--root", root.toString()));
        assertEquals(0, made.status(), made.err());
    }

    @AfterAll
    static void removeEverything() throws Exception {
        if (root == null) return;
        for (String id : vireo("ps", "-a", "-q", "--no-trunc").out().lines().toList()) vireo("rm", "-f", id);
        try (Stream<Path> rootfs = Files.list(root.resolve("image/rootfs"))) {
            assertEquals(0, rootfs.count(), "every container's root filesystem is gone");
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    @Test
    void runPassesOutputAndExitStatusThroughAndRmLeavesNothing() throws Exception {
        Result r = vireo("run", "--rm", "--name", "once", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, r.status(), r.err());
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
        assertFalse(vireo("ps", "-a").out().contains("once"));
        assertFalse(Files.exists(root.resolve("containers/names/once")));
    }

    @Test
    void runConvertsTheImageConfigAndTheFlags() throws Exception {
        Result r = vireo("run", "--rm", "-e", "GREETING=hi", "-w", "/tmp", "-u", "nobody", "--hostname", "box",
                "--memory", "64m", "--pids-limit", "50", "busybox", "sh", "-c",
                "echo $GREETING $(pwd) $(id -u):$(id -g) $(hostname) $PATH; grep -c . /etc/hosts; "
                        // cgroup v1 and v2 spell the limits differently; one of each pair exists.
                        + "cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes "
                        + "/sys/fs/cgroup/memory.max 2>/dev/null");
        assertEquals("hi /tmp 65534:65534 box /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n3\n50\n67108864\n",
                r.out(), r.err());
        Path host = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(host.resolve("in.txt"), "from the host\n");
        Result bind = vireo("run", "--rm", "-v", host + ":/shared", "-v", host + ":/ro:ro", "busybox", "sh", "-c",
                "cat /shared/in.txt; echo back > /shared/out.txt; touch /ro/x 2>/dev/null || echo read-only");
        assertEquals("from the host\nread-only\n", bind.out(), bind.err());
        assertEquals("back\n", Files.readString(host.resolve("out.txt")));
    }

    @Test
    void containerOverItsMemoryLimitIsKilledAndSaysSo() throws Exception {
        Result r = vireo("run", "--rm", "--memory", "16m", "busybox", "sh", "-c", "x=$(head -c 64000000 /dev/zero | tr '\\0' a)");
        assertEquals(137, r.status(), r.err());
        assertTrue(r.err().contains("killed by the OOM killer"), r.err());
    }

    @Test
    void detachedContainerIsFollowedStoppedWithItsImagesStopSignalAndRecorded() throws Exception {
        // An image whose STOPSIGNAL is SIGUSR1: the container only ends cleanly on that signal.
        ImageStore images = ImageStore.open(root);
        Image busybox = images.resolve("busybox");
        ImageConfig.Container c = busybox.config().config();
        ImageConfig.Container usr1 = new ImageConfig.Container(c.user(), c.exposedPorts(), c.env(), c.entrypoint(), c.cmd(),
                c.volumes(), c.workingDir(), c.labels(), "SIGUSR1", c.argsEscaped(), c.healthcheck(), c.shell(), c.onBuild());
        Image image = images.commit(busybox.config().withContainer(usr1, null), busybox.layers());
        images.tag(ImageRef.parse("busybox:usr1"), image.descriptor());
        Result started = vireo("run", "-d", "--name", "svc", "busybox:usr1", "sh", "-c",
                "trap 'echo got USR1; exit 0' USR1; echo started; while true; do sleep 0.1; done");
        assertEquals(0, started.status(), started.err());
        assertTrue(started.out().strip().matches("[0-9a-f]{64}"), started.out());
        assertTrue(vireo("ps").out().lines().anyMatch(l -> l.contains("svc") && l.contains("Up ")), vireo("ps").out());

        Process follow = command(List.of("logs", "-f", "svc")).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("started", lines.readLine());
        Result stop = vireo("stop", "-t", "30", "svc");
        assertEquals(0, stop.status(), stop.err());
        assertEquals("got USR1", lines.readLine());
        assertEquals(null, lines.readLine(), "logs -f ends with the container");
        assertTrue(follow.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, follow.exitValue());

        String ps = vireo("ps", "-a").out();
        assertTrue(ps.lines().anyMatch(l -> l.contains("svc") && l.contains("Exited (0)")), ps);
        assertTrue(Files.readString(root.resolve("containers").resolve(started.out().strip()).resolve("ctr.log"))
                .lines().allMatch(l -> l.matches("\\S+Z stdout F .*")), "the log is in the CRI format");
        assertEquals("svc\n", vireo("rm", "svc").out());
    }

    @Test
    void stopKillsAContainerThatIgnoresItsStopSignal() throws Exception {
        assertEquals(0, vireo("run", "-d", "--name", "stubborn", "busybox", "sh", "-c",
                "trap '' TERM; while true; do sleep 0.1; done").status());
        assertEquals(0, vireo("stop", "-t", "1", "stubborn").status());
        assertTrue(vireo("ps", "-a").out().lines().anyMatch(l -> l.contains("stubborn") && l.contains("Exited (137)")));
        assertEquals(0, vireo("rm", "stubborn").status());
    }

    @Test
    void execRunsInTheRunningContainerAndPassesItsStatusThrough() throws Exception {
        assertEquals(0, vireo("run", "-d", "--name", "host", "busybox", "sh", "-c", "echo ready > /tmp/mark; sleep 600").status());
        Result r = vireo("exec", "-e", "X=1", "-w", "/tmp", "-u", "nobody", "host", "sh", "-c", "echo $X $(pwd) $(id -u) $(cat mark)");
        assertEquals("1 /tmp 65534 ready\n", r.out(), r.err());
        assertEquals(5, vireo("exec", "host", "sh", "-c", "exit 5").status());
        assertEquals(127, vireo("exec", "host", "nosuchcommand").status());
        Result removeRunning = vireo("rm", "host");
        assertEquals(1, removeRunning.status());
        assertTrue(removeRunning.err().contains("is running"), removeRunning.err());
        assertEquals(0, vireo("rm", "-f", "host").status());
        Result stopped = vireo("exec", "host", "true");
        assertEquals(125, stopped.status());
        assertEquals(1, stopped.err().lines().count(), stopped.err());
    }

    @Test
    void committedContainerRunsAsAnImageThatIsKeptWhileAContainerUsesIt() throws Exception {
        assertEquals(0, vireo("run", "--name", "maker", "-e", "MODE=made", "busybox", "sh", "-c",
                "echo data > /file; rm /etc/group").status());
        Result commit = vireo("commit", "maker", "made:v1");
        assertEquals(0, commit.status(), commit.err());
        Result r = vireo("run", "--rm", "made:v1", "sh", "-c", "cat /file; echo $MODE; test -e /etc/group || echo no-group");
        assertEquals("data\nmade\nno-group\n", r.out(), r.err());
        assertEquals(0, vireo("rm", "maker").status());

        assertEquals(0, vireo("run", "-d", "--name", "user", "made:v1", "sleep", "600").status());
        Result rmi = vireo("rmi", "made:v1");
        assertEquals(2, rmi.status());
        assertTrue(rmi.err().contains("in use by a container"), rmi.err());
        assertEquals(0, vireo("rmi", "-f", "made:v1").status());
        assertEquals(0, vireo("image", "prune").status());
        assertEquals("data\n", vireo("exec", "user", "cat", "/file").out(), "the image's layers survived the prune");
        assertEquals(0, vireo("rm", "-f", "user").status());
    }

    @Test
    void runSignalsReachTheContainer() throws Exception {
        Process p = command(List.of("run", "--rm", "busybox", "sh", "-c",
                "trap 'echo got TERM; exit 42' TERM; echo ready; while true; do sleep 0.1; done")).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        // ./vireo execs java: the process started is the JVM that forwards the signal.
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertEquals("got TERM", out.readLine());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(42, p.exitValue());
    }

    @Test
    void badInputGetsOneLineAndDockersStatuses() throws Exception {
        assertEquals(0, vireo("run", "--name", "taken", "busybox", "true").status());
        record Case(List<String> args, int status, String says) {}
        for (Case c : List.of(
                new Case(List.of("run", "--rm", "nosuchimage"), 125, "no such image"),
                new Case(List.of("run", "--rm", "-v", "relative:/x", "busybox", "true"), 125, "invalid volume"),
                new Case(List.of("run", "--rm", "-v", "/a:/b:rx", "busybox", "true"), 125, "invalid volume"),
                new Case(List.of("run", "--name", "taken", "busybox", "true"), 125, "already in use"),
                new Case(List.of("run", "--rm", "-u", "nosuch", "busybox", "true"), 125, "unable to find user nosuch"),
                new Case(List.of("run", "--rm", "--memory", "lots", "busybox", "true"), 125, "invalid --memory"),
                new Case(List.of("run", "--rm", "--bogus", "busybox"), 125, "unknown option --bogus"),
                new Case(List.of("run", "--rm", "busybox", "/nonexistent"), 127, "/nonexistent"),
                new Case(List.of("run", "--rm", "busybox", "/etc/passwd"), 126, "/etc/passwd"),
                new Case(List.of("logs", "nosuch"), 2, "no such container"),
                new Case(List.of("rm", "nosuch"), 2, "no such container"),
                new Case(List.of("ps", "--bogus"), 2, "unknown option"))) {
            Result r = vireo(c.args().toArray(String[]::new));
            assertEquals(c.status(), r.status(), c.args() + ": " + r.err());
            assertEquals(1, r.err().lines().count(), c.args() + ": " + r.err());
            assertTrue(r.err().startsWith("vireo ") && r.err().contains(c.says()), c.args() + ": " + r.err());
        }
        assertEquals(0, vireo("rm", "taken").status());
        try (Stream<Path> left = Files.list(root.resolve("containers"))) {
            List<String> ids = new ArrayList<>(left.map(p -> p.getFileName().toString()).filter(n -> n.length() == 64).toList());
            assertEquals(List.of(), ids, "a run refused leaves no container behind");
        }
    }

    /** ./vireo with {@code --root} after the verb ({@code image prune}'s verb is two words). */
    private static List<String> line(List<String> args) {
        int verb = args.getFirst().equals("image") ? 2 : 1;
        List<String> command = new ArrayList<>(List.of(PROJECT.resolve("vireo").toString()));
        command.addAll(args.subList(0, verb));
        command.add("--root");
        command.add(root.toString());
        command.addAll(args.subList(verb, args.size()));
        return command;
    }

    private static ProcessBuilder command(List<String> args) {
        return new ProcessBuilder(line(args)).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    private static Result vireo(String... args) throws IOException, InterruptedException {
        return run(line(List.of(args)));
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Path errFile = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(errFile.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(errFile));
    }
}
