package dev.vireo.containers.supervise;

import dev.vireo.containers.Container;
import dev.vireo.containers.StartFailedException;
import dev.vireo.containers.logs.CriLogWriter;
import dev.vireo.containers.spec.RootPaths;
import dev.vireo.containers.state.ContainerStore;
import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.ContainerRuntime;
import dev.vireo.runtime.CreateOptions;
import dev.vireo.runtime.ExitStatus;
import dev.vireo.runtime.Stdio;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Pipes;
import dev.vireo.sys.Tty;
import sun.misc.Signal;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a created container to its end, in the process that will be its parent (the runtime's
 * helper clones it with CLONE_PARENT, so {@code waitpid} here gets its exit status): create
 * and start it through the runtime with its output on pipes (or a terminal), copy that output
 * into the CRI log (and to this process's own streams when attached), wait, and record the
 * exit code and the time in {@code container.json}. This is conmon's job, done by the
 * foreground {@code vireo run} itself or by a detached monitor process.
 */
public final class Supervisor {
    private static final Fd STDIN = Fd.own(0), STDOUT = Fd.own(1), STDERR = Fd.own(2);

    /** Told once the container runs, with its record. */
    public interface Started {
        void started(Container c) throws IOException;
    }

    private final ContainerRuntime runtime;
    private final ContainerStore store;

    public Supervisor(ContainerRuntime runtime, ContainerStore store) {
        this.runtime = runtime;
        this.store = store;
    }

    /**
     * Starts the container, waits for its end and records it; the exit status, or a {@link
     * StartFailedException}. {@code attached}: this process's terminal and streams are the
     * container's ({@code -i} gives it stdin), else only the log gets its output and an
     * {@code -i} container gets a pipe that stays open, as a detached {@code -i} does in Docker.
     */
    public ExitStatus run(Container created, Path rootfs, boolean attached, Started started) throws IOException {
        String id = created.id();
        Path dir = store.dir(id);
        List<Fd> ours = new ArrayList<>();
        List<OutputPump> pumps = new ArrayList<>();
        Tty.Settings terminal = null;
        CriLogWriter log = new CriLogWriter(new FileOutputStream(dir.resolve("ctr.log").toFile(), true));
        try {
            Stdio stdio;
            Fd[] out = null, err = null;
            if (created.tty()) {
                stdio = Stdio.nothing();
            } else {
                out = pipe(ours);
                err = pipe(ours);
                Stdio.Stream in = new Stdio.Null();
                if (created.interactive()) in = attached ? new Stdio.Inherit() : new Stdio.Descriptor(pipe(ours)[0]);
                stdio = new Stdio(in, new Stdio.Descriptor(out[1]), new Stdio.Descriptor(err[1]));
            }
            ContainerRuntime.Created made;
            try {
                made = runtime.create(id, dir, new CreateOptions(stdio, null, null, 0, false, false));
            } catch (ContainerException e) {
                store.save(created.failed(e.getMessage()));
                throw classify(e, rootfs, created.command().getFirst());
            }
            int pid = made.state().pid();
            if (created.tty()) {
                Fd master = made.console();
                if (attached && Tty.isTerminal(0)) {
                    int[] size = Tty.windowSize(STDIN);
                    Tty.setWindowSize(master, size[0], size[1]);
                    terminal = Tty.makeRaw(0);
                    // The kernel tells the container's foreground process when its terminal's size changes.
                    Signal.handle(new Signal("WINCH"), _ -> {
                        if (!master.isOpen()) return;
                        int[] now = Tty.windowSize(STDIN);
                        Tty.setWindowSize(master, now[0], now[1]);
                    });
                }
                if (attached && created.interactive()) Thread.ofPlatform().daemon().name("vireo-tty-in").start(() -> InputPump.copy(STDIN, master));
                pumps.add(OutputPump.start(master, 1, log, attached ? STDOUT : null));
            } else {
                out[1].close();
                err[1].close();
                pumps.add(OutputPump.start(out[0], 1, log, attached ? STDOUT : null));
                pumps.add(OutputPump.start(err[0], 2, log, attached ? STDERR : null));
            }
            ProcessHandle self = ProcessHandle.current();
            Container running = created.started(pid, startOf(pid), (int) self.pid(), startOf((int) self.pid()), Instant.now());
            store.save(running);
            runtime.start(id);
            started.started(running);
            ExitStatus exit = runtime.await(id, pid);
            for (OutputPump p : pumps) p.join();
            log.flushPartial();
            record(running, exit);
            return exit;
        } finally {
            if (terminal != null) Tty.restore(terminal);
            for (Fd fd : ours) fd.close();
            log.close();
        }
    }

    private void record(Container running, ExitStatus exit) throws IOException {
        try (ContainerStore.Lock _ = store.lock(running.id())) {
            Container now = store.load(running.id());
            if (now == null) return;
            store.save(now.exited(exit.code(), exit instanceof ExitStatus.OomKilled, Instant.now(), null));
        }
        runtime.delete(running.id(), true);
    }

    /** A runtime failure to create or exec a process, in Docker's exit-status terms (126 and 127 for the command). */
    public static StartFailedException classify(ContainerException e, Path rootfs, String program) throws IOException {
        String message = e.getMessage() == null ? "the process did not start" : e.getMessage();
        int status = StartFailedException.ENGINE;
        if (message.contains("executable file not found")) {
            status = StartFailedException.NOT_FOUND;
        } else if (message.contains("is not an executable file")) {
            status = Files.exists(RootPaths.resolve(rootfs, program)) ? StartFailedException.NOT_EXECUTABLE
                    : StartFailedException.NOT_FOUND;
        }
        return new StartFailedException(status, message, e);
    }

    /** The start time of a process (milliseconds), which tells it apart from a later one with its number. */
    public static long startOf(int pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).map(Instant::toEpochMilli).orElse(0L);
    }

    /** Whether process {@code pid} is still the one that started at {@code start}. */
    public static boolean alive(int pid, long start) {
        return pid > 0 && start != 0 && startOf(pid) == start;
    }

    private static Fd[] pipe(List<Fd> ours) {
        Fd[] p = Pipes.pipe();
        ours.add(p[0]);
        ours.add(p[1]);
        return p;
    }
}
