package dev.vireo.runtime;

import dev.vireo.runtime.spec.Json;
import dev.vireo.runtime.spec.ProcessSpec;
import dev.vireo.runtime.spec.Spec;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.Pipes;
import dev.vireo.sys.Signals;
import dev.vireo.sys.SysException;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The specification's lifecycle through the Java API: create, start, state, kill, delete; exec; hooks; the terminal. */
class LifecycleTest {
    private static ContainerRuntime runtime;

    @BeforeAll
    static void setUp() {
        Fixtures.requireRoot();
        runtime = Fixtures.runtime();
    }

    private static String comm(int pid) throws IOException {
        return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
    }

    @Test
    void createWaitsForStartThenTheStatesFollowTheSpecification(@TempDir Path dir) throws IOException {
        Leftovers before = Leftovers.capture();
        Path bundle = Fixtures.bundle(dir, Fixtures.spec("sleep", "60"));
        String id = Fixtures.id("life");
        ContainerState created = runtime.create(id, bundle, CreateOptions.withStdio(Stdio.nothing())).state();
        try {
            lifecycle(id, bundle, created);
        } finally {
            if (runtime.list().stream().anyMatch(s -> s.id().equals(id))) runtime.delete(id, true);
        }
        assertEquals(before, Leftovers.capture(), "delete removes everything create made");
    }

    private static void lifecycle(String id, Path bundle, ContainerState created) throws IOException {
        assertEquals(Status.CREATED, created.status());
        assertEquals(created, runtime.state(id));
        assertEquals("vireo-init", comm(created.pid()), "the user's program has not run yet");
        assertEquals(bundle.toString(), created.bundle());

        ContainerState running = runtime.start(id);
        assertEquals(Status.RUNNING, running.status());
        assertEquals(created.pid(), running.pid());
        runtime.exec(id, ExecRequest.of(List.of("true")), ExecOptions.withStdio(Stdio.nothing()));
        assertEquals("sleep", comm(created.pid()));

        assertThrows(ContainerException.class, () -> runtime.delete(id, false), "a running container is not deleted");
        runtime.kill(id, Signals.SIGKILL, false);
        assertEquals(new ExitStatus.Killed(Signals.SIGKILL), runtime.await(id, created.pid()));
        ContainerState stopped = runtime.state(id);
        assertEquals(Status.STOPPED, stopped.status());
        assertEquals(0, stopped.pid());
        assertEquals("container " + id + " is stopped: it has no process to signal",
                assertThrows(ContainerException.class, () -> runtime.kill(id, Signals.SIGTERM, false)).getMessage());
        runtime.delete(id, false);
        assertThrows(ContainerException.class, () -> runtime.state(id));
    }

    @Test
    void theStateJsonHasTheSpecificationsFields(@TempDir Path dir) throws IOException {
        Path bundle = Fixtures.bundle(dir, Fixtures.spec("sleep", "60"));
        String id = Fixtures.id("json");
        runtime.create(id, bundle, CreateOptions.withStdio(Stdio.nothing()));
        try {
            ContainerState state = state(runtime.state(id).toJson());
            assertEquals("1.2.1", state.ociVersion());
            assertEquals(id, state.id());
            assertEquals(Status.CREATED, state.status());
            assertTrue(state.pid() > 0);
            assertEquals(bundle.toString(), state.bundle());
            assertTrue(runtime.state(id).toJson().contains("\"status\": \"created\""));
        } finally {
            runtime.delete(id, true);
        }
    }

    @Test
    void theProgramStartsInTheContainersCgroupInEveryHierarchy(@TempDir Path dir) throws IOException {
        Path bundle = Fixtures.bundle(dir, Fixtures.spec("cat", "/proc/self/cgroup"));
        String id = Fixtures.id("group");
        Path out = dir.resolve("cgroup.out");
        assertEquals(new ExitStatus.Exited(0), runtime.run(id, bundle, CreateOptions.withStdio(Stdio.toFiles(out, dir.resolve("err")))));
        // The JVM moves the process while it builds its root file system; it executes only once moved.
        List<String> groups = Files.readAllLines(out).stream().filter(l -> !l.startsWith("0::")).toList();
        assertFalse(groups.isEmpty());
        for (String line : groups) assertTrue(line.endsWith("/vireo/" + id), line);
    }

    @Test
    void execRunsInTheContainersNamespacesAndCgroup(@TempDir Path dir) throws IOException {
        Path bundle = Fixtures.bundle(dir, Fixtures.spec("sleep", "60").withHostname("box"));
        String id = Fixtures.id("exec");
        int init = runtime.create(id, bundle, CreateOptions.withStdio(Stdio.nothing())).state().pid();
        try {
            runtime.start(id);
            Path out = dir.resolve("exec.out");
            ContainerRuntime.Exec exec = runtime.exec(id, ExecRequest.of(List.of("sh", "-c",
                            "echo $$; cat /proc/1/comm; hostname; ls /; grep -c memory /proc/self/cgroup; exit 7")),
                    ExecOptions.withStdio(Stdio.toFiles(out, dir.resolve("exec.err"))));
            assertEquals(new ExitStatus.Exited(7), exec.exit());
            List<String> lines = Files.readAllLines(out);
            assertNotEquals("1", lines.get(0), "PID 1 is the container's init");
            assertEquals("sleep", lines.get(1));
            assertEquals("box", lines.get(2));
            assertTrue(lines.contains("linuxrc"), "the container's root (busybox's): " + lines);
            String cgroup = Files.readString(Path.of("/proc/" + init + "/cgroup"));
            assertTrue(cgroup.contains("/vireo/" + id), cgroup);
        } finally {
            runtime.delete(id, true);
        }
    }

    @Test
    void everyHookGetsTheStateOnStdin(@TempDir Path dir) throws IOException {
        Path out = Files.createDirectories(dir.resolve("hooks"));
        Files.writeString(out.resolve("record"), "#!/bin/sh\ncat > \"$2\"\nreadlink /proc/self/ns/uts >> \"$2\"\n");
        Files.setPosixFilePermissions(out.resolve("record"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Spec.Hook createRuntime = hook(out, "/", "createRuntime"), createContainer = hook(out, "/", "createContainer"),
                startContainer = hook(out, "/hooks/", "startContainer"), poststart = hook(out, "/", "poststart"),
                poststop = hook(out, "/", "poststop");
        Spec s = Fixtures.spec("true");
        List<Spec.Mount> mounts = new ArrayList<>(s.mounts());
        mounts.add(new Spec.Mount("/hooks", "bind", out.toString(), List.of("rbind", "rw")));
        s = s.withMounts(mounts).withHooks(new Spec.Hooks(null, List.of(createRuntime), List.of(createContainer),
                List.of(startContainer), List.of(poststart), List.of(poststop)));
        String id = Fixtures.id("hooks");
        ExitStatus exit = runtime.run(id, Fixtures.bundle(dir.resolve("bundle"), s), CreateOptions.withStdio(Stdio.nothing()));
        assertEquals(new ExitStatus.Exited(0), exit);
        String hostUts = Files.readSymbolicLink(Path.of("/proc/self/ns/uts")).toString();
        for (String kind : List.of("createRuntime", "createContainer", "startContainer", "poststart", "poststop")) {
            List<String> lines = Files.readAllLines(out.resolve(kind));
            ContainerState state = state(String.join("\n", lines.subList(0, lines.size() - 1)));
            assertEquals(id, state.id(), kind);
            boolean inside = kind.equals("createContainer") || kind.equals("startContainer");
            assertEquals(!inside, lines.getLast().equals(hostUts), kind + " runs in the " + (inside ? "container's" : "runtime's")
                    + " namespaces");
        }
        assertEquals(Status.CREATING, state(Files.readString(out.resolve("createRuntime")).split("\nuts:")[0]).status());
        assertEquals(Status.STOPPED, state(Files.readString(out.resolve("poststop")).split("\nuts:")[0]).status());
    }

    private static ContainerState state(String json) {
        return Json.read(json.getBytes(StandardCharsets.UTF_8), ContainerState.class, "state");
    }

    /** A hook that records its stdin and its UTS namespace; startContainer's path is the container's. */
    private static Spec.Hook hook(Path out, String prefix, String kind) {
        String script = prefix.equals("/") ? out.resolve("record").toString() : prefix + "record";
        String file = prefix.equals("/") ? out.resolve(kind).toString() : prefix + kind;
        return new Spec.Hook(script, List.of("record", kind, file), List.of("PATH=/usr/bin:/bin"), 10);
    }

    @Test
    void aTerminalComesFromTheContainersOwnDevpts(@TempDir Path dir) {
        Spec s = Fixtures.spec("sh", "-c", "tty; stty size; ls -l /dev/console | cut -c1");
        s = s.withProcess(s.process().withTerminal(true));
        s = s.withProcess(new ProcessSpec(true, new ProcessSpec.ConsoleSize(30, 100), s.process().user(), s.process().args(),
                s.process().env(), s.process().cwd(), s.process().capabilities(), null, null, null, null, null, null, null, null));
        String id = Fixtures.id("tty");
        ContainerRuntime.Created created = runtime.create(id, Fixtures.bundle(dir, s), CreateOptions.withStdio(Stdio.nothing()));
        try (Fd master = created.console()) {
            runtime.start(id);
            String seen = readAll(master);
            assertEquals("/dev/pts/0\r\n30 100\r\nc\r\n", seen);
            assertEquals(new ExitStatus.Exited(0), runtime.await(id, created.state().pid()));
        } finally {
            runtime.delete(id, true);
        }
        assertFalse(Files.exists(Fixtures.target().resolve("vireo-state").resolve(id)));
    }

    @Test
    void aConsoleSocketReceivesTheTerminalAsRuncHandsIt(@TempDir Path dir) throws Exception {
        Spec s = Fixtures.spec("sh", "-c", "tty; echo on the console");
        s = s.withProcess(s.process().withTerminal(true));
        Path socket = dir.resolve("console.sock");
        String id = Fixtures.id("console");
        try (Fd listening = Pipes.listen(socket.toString())) {
            CompletableFuture<Pipes.Received> received =
                    CompletableFuture.supplyAsync(() -> {
                        try (Fd connection = Pipes.accept(listening); Arena arena = Arena.ofConfined()) {
                            MemorySegment name = arena.allocate(64);
                            Pipes.Received r = Pipes.receive(connection, name);
                            assertEquals("/dev/pts/0", new String(name.asSlice(0, r.bytes()).toArray(ValueLayout.JAVA_BYTE)));
                            return r;
                        }
                    }, Thread::startVirtualThread);
            ContainerRuntime.Created created = runtime.create(id, Fixtures.bundle(dir, s),
                    new CreateOptions(Stdio.nothing(), null, socket, 0, false, true));
            assertEquals(null, created.console(), "the terminal went to the socket");
            try (Fd master = received.get(30, TimeUnit.SECONDS).passed()) {
                runtime.start(id);
                assertEquals("/dev/pts/0\r\non the console\r\n", readAll(master));
            }
            assertEquals(new ExitStatus.Exited(0), runtime.await(id, created.state().pid()));
        } finally {
            runtime.delete(id, true);
        }
    }

    /** Everything the container writes to its terminal, until its side closes (EIO). */
    private static String readAll(Fd master) {
        StringBuilder text = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            long n;
            while ((n = FileIo.read(master, buffer)) > 0) {
                text.append(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            }
        } catch (SysException e) {
            assertTrue(e.is(Errno.EIO), e.getMessage());
        }
        return text.toString();
    }
}
