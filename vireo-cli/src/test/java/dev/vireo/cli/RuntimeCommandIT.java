package dev.vireo.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vireo runtime ...} end to end through the built ./vireo, each verb its own process, as
 * OCI tooling drives runc: a container made by {@code create} outlives the command that made it.
 */
class RuntimeCommandIT {
    @TempDir
    Path dir;
    Path root;
    Path bundle;

    record Result(int status, String out, String err) {}

    @BeforeEach
    void needsRootAndABundle() throws Exception {
        boolean isRoot = "root".equals(System.getProperty("user.name"));
        if (!isRoot) System.err.println("skipping: vireo runtime tests need root (namespaces, cgroups, mounts)");
        Assumptions.assumeTrue(isRoot, "needs root");
        root = dir.resolve("state");
        bundle = dir.resolve("bundle");
        Result made = run(List.of(Project.ROOT.resolve("scripts/make-busybox-bundle").toString(), bundle.toString(), "sleep", "60"));
        assertEquals(0, made.status(), made.err());
    }

    /** A failed test must not leave its containers running. */
    @AfterEach
    void deleteEverything() throws Exception {
        if (root == null || !Files.isDirectory(root)) return;
        for (String id : vireo("list", "--quiet").out().split("\n")) {
            if (!id.isBlank()) vireo("delete", "--force", id);
        }
    }

    private Result vireo(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Project.VIREO.toString(), "runtime", "--root", root.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private Result run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + command);
        return new Result(p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
    }

    private static int pid(String state) {
        return Integer.parseInt(state.replaceAll("(?s).*\"pid\" ?: ?(\\d+).*", "$1"));
    }

    @Test
    void createLeavesTheContainerWaitingAfterTheCommandExitsAndStartRunsIt() throws Exception {
        Result created = vireo("create", "--bundle", bundle.toString(), "--pid-file", dir.resolve("pid").toString(), "c1");
        assertEquals(0, created.status(), created.err());
        Result state = vireo("state", "c1");
        assertTrue(state.out().contains("\"status\": \"created\""), state.out());
        int pid = pid(state.out());
        assertEquals(Integer.toString(pid), Files.readString(dir.resolve("pid")));
        ProcessHandle init = ProcessHandle.of(pid).orElseThrow();
        assertEquals("vireo-init", Files.readString(Path.of("/proc/" + pid + "/comm")).strip());
        assertNotEquals(ProcessHandle.current().pid(), init.parent().map(ProcessHandle::pid).orElse(0L));

        assertEquals(0, vireo("start", "c1").status());
        assertTrue(vireo("state", "c1").out().contains("\"status\": \"running\""));
        assertEquals("sleep", Files.readString(Path.of("/proc/" + pid + "/comm")).strip());
        assertTrue(vireo("list").out().lines().anyMatch(l -> l.startsWith("c1 ") && l.contains("running")));
        Result exec = vireo("exec", "c1", "--", "sh", "-c", "cat /proc/1/comm; exit 5");
        assertEquals(5, exec.status(), exec.err());
        assertEquals("sleep\n", exec.out());

        Result refused = vireo("delete", "c1");
        assertEquals(1, refused.status());
        assertEquals("vireo runtime: container c1 is running: stop it first, or delete --force\n", refused.err());
        assertEquals(0, vireo("kill", "c1", "KILL").status());
        init.onExit().get(30, TimeUnit.SECONDS);
        assertTrue(vireo("state", "c1").out().contains("\"status\": \"stopped\""));
        assertEquals(0, vireo("delete", "c1").status());
        Result gone = vireo("state", "c1");
        assertEquals(1, gone.status());
        assertEquals("vireo runtime: container c1 does not exist\n", gone.err());
    }

    @Test
    void runReturnsTheExitStatusAnd128PlusTheSignal() throws Exception {
        Files.delete(bundle.resolve("config.json"));
        assertEquals(0, vireo("spec", "--bundle", bundle.toString(), "--", "sh", "-c", "echo hi; exit 3").status());
        Result exited = vireo("run", "--bundle", bundle.toString(), "r1");
        assertEquals(3, exited.status(), exited.err());
        assertEquals("hi\n", exited.out());
        assertEquals("", vireo("list", "--quiet").out(), "run deletes what it made");
    }

    /** Starts {@code run} in the background and returns once the container's process exists. */
    private Process runInBackground(String id) throws Exception {
        Path pidFile = dir.resolve(id + ".pid");
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            Process run = new ProcessBuilder(Project.VIREO.toString(), "runtime", "--root", root.toString(), "run",
                    "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), id)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            while (!Files.exists(pidFile)) {
                WatchKey key = watch.poll(60, TimeUnit.SECONDS);
                assertNotNull(key, "no PID file from run");
                key.pollEvents();
                key.reset();
            }
            return run;
        }
    }

    @Test
    void aContainerKilledBySignalGivesRun128PlusTheSignal() throws Exception {
        Process run = runInBackground("r2");
        assertEquals(0, vireo("kill", "r2", "9").status());
        assertTrue(run.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, run.exitValue());
    }

    @Test
    void runPassesSignalsOnToTheContainer() throws Exception {
        Files.delete(bundle.resolve("config.json"));
        // Not "sleep 60 & wait": busybox sh loses a signal that lands just before wait blocks, and
        // then waits the minute out. A trap runs at the latest when the current short sleep ends,
        // and the signal goes only once the shell says its trap is set.
        assertEquals(0, vireo("spec", "--bundle", bundle.toString(), "--", "sh", "-c",
                "trap 'exit 42' TERM; echo trapped; while :; do sleep 1; done").status());
        Process run = runInBackground("r3");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("trapped", out.readLine());
            run.toHandle().destroy();
            assertTrue(run.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(42, run.exitValue(), "the container's shell got SIGTERM and ran its trap");
    }

    @Test
    void theDefaultSpecRunsUnderRunc() throws Exception {
        boolean runc = Files.isExecutable(Path.of("/usr/sbin/runc"));
        if (!runc) System.err.println("skipping: runc is not installed (scripts/setup installs it)");
        Assumptions.assumeTrue(runc, "needs runc");
        Files.delete(bundle.resolve("config.json"));
        assertEquals(0, vireo("spec", "--bundle", bundle.toString(), "--", "sh", "-c", "exit 4").status());
        assertEquals(4, run(List.of("runc", "--root", dir.resolve("runc").toString(), "run", "--bundle", bundle.toString(),
                "x1")).status());
        Result again = vireo("spec", "--bundle", bundle.toString());
        assertEquals(2, again.status());
        assertEquals("vireo runtime: " + bundle.resolve("config.json") + " exists: remove it first\n", again.err());
    }

    @Test
    void badInputGivesOneLineAndStatus2() throws Exception {
        Result missing = vireo("create", "--bundle", dir.resolve("nope").toString(), "c2");
        assertEquals(2, missing.status());
        assertEquals("vireo runtime: bundle " + dir.resolve("nope") + " does not exist or is not a directory\n", missing.err());
        Files.writeString(bundle.resolve("config.json"), "{\"ociVersion\": \"1.2.0\", \"process\": {\"cwd\": \"tmp\", "
                + "\"args\": [\"sh\"]}, \"root\": {\"path\": \"rootfs\"}}");
        Result relative = vireo("run", "--bundle", bundle.toString(), "c3");
        assertEquals(2, relative.status());
        assertEquals("vireo runtime: process.cwd: must be an absolute path, not \"tmp\"\n", relative.err());
        Result signal = vireo("kill", "c4", "SIGFOO");
        assertEquals(2, signal.status());
        assertEquals("vireo runtime: unknown signal SIGFOO\n", signal.err());
        Result notCreated = vireo("start", "c5");
        assertEquals(1, notCreated.status());
        assertEquals("vireo runtime: container c5 does not exist\n", notCreated.err());
        assertEquals(2, vireo("frobnicate").status());
        assertEquals("", vireo("list", "--quiet").out());
    }

    @Test
    void featuresDescribeTheRuntime() throws Exception {
        Result features = vireo("features");
        assertEquals(0, features.status());
        assertTrue(features.out().contains("\"ociVersionMax\": \"1.2.1\""), features.out());
        assertTrue(features.out().contains("\"SCMP_ACT_ERRNO\""), features.out());
    }
}
