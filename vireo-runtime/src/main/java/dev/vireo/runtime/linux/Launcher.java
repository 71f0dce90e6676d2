package dev.vireo.runtime.linux;

import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.Stdio;
import dev.vireo.runtime.cgroups.Cgroup;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.Pipes;
import dev.vireo.sys.Processes;
import dev.vireo.sys.Signals;
import dev.vireo.sys.SysException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Starts vireo-init and holds the conversation with it: the plan goes out, the JVM writes the
 * ID maps of a new user namespace, learns the container's PID, answers with the state for the
 * hooks run from inside, moves the process into its cgroup, runs the runtime-namespace hooks
 * when asked, and receives the terminal.
 *
 * <p>The moves overlap the setup: on cgroup v1 (and v2 without favordynmods) a write to
 * cgroup.procs waits for an RCU grace period, several milliseconds. The helper is started while
 * the group's directories are made, before its plan is made, and moved from another thread as
 * soon as both exist, as runc moves its {@code runc init}; the group's limits are written
 * meanwhile (runc too sets them after the move), but for its device rules, written with the
 * directories since the process makes and opens device nodes while it builds its root. The
 * container's process is moved right after the helper (cloned before or after that move, it
 * may be outside still), which takes no second grace period. Meanwhile the process builds its
 * root file system, and goes no further (no fork, hook, cgroup namespace, nor its program)
 * before the JVM says it is moved and limited.
 *
 * <p>The helper runs from a sealed in-memory copy of the binary embedded in this module's jar
 * (runc's answer to CVE-2019-5736): a container can see it through /proc/PID/exe, never rewrite it.
 */
public final class Launcher {
    private static final String IMAGE = "vireo-init";

    /** What the conversation asks of the runtime. */
    public interface Callbacks {
        /** The state JSON for hooks, now that the container's process has {@code pid}. */
        String state(int pid);

        /** Runs the prestart and createRuntime hooks (the helper waits before pivot_root). */
        void runtimeHooks(int pid);
    }

    /** The container's (or the exec'd) process, its terminal's master if it has one, and the helper's warnings. */
    public record Started(int pid, Fd console, List<String> warnings) {}

    private Launcher() {}

    private static final class Image {
        static final Fd FD = load();

        private static Fd load() {
            try (InputStream in = Launcher.class.getResourceAsStream(IMAGE)) {
                if (in == null) throw new IllegalStateException("the runtime's jar has no " + IMAGE + " (build with make)");
                return Processes.sealedExecutable(IMAGE, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Makes the helper's sealed copy now ({@link dev.vireo.runtime.ContainerRuntime#prepare}). */
    public static void prepare() {
        Objects.requireNonNull(Image.FD);
    }

    /**
     * Starts vireo-init with the container's streams as {@code stdio} says and {@code
     * preserveFds} of this process's own; it waits for its plan. Closing a helper that was never
     * given one ends it.
     */
    public static Helper start(Stdio stdio, int preserveFds) {
        List<Fd> opened = new ArrayList<>();
        try {
            List<Fd> fds = new ArrayList<>(List.of(open(stdio.stdin(), 0, opened), open(stdio.stdout(), 1, opened),
                    open(stdio.stderr(), 2, opened)));
            for (int i = 0; i < preserveFds; i++) fds.add(Fd.own(3 + i));
            Fd[] pair = Pipes.socketPair();
            fds.add(pair[1]);
            int pid;
            try {
                pid = Processes.spawn(Image.FD, List.of(IMAGE, Integer.toString(fds.size() - 1)), List.of(), fds, false);
            } catch (RuntimeException e) {
                pair[0].close();
                throw e;
            } finally {
                pair[1].close();
            }
            return new Helper(pid, new ControlChannel(pair[0]));
        } finally {
            opened.forEach(Fd::close);
        }
    }

    /** A running vireo-init, its plan not sent yet. */
    public static final class Helper implements AutoCloseable {
        private final int helper;
        private final ControlChannel channel;
        private Cgroup cgroup;
        private CompletableFuture<Void> move;
        private boolean ran;

        private Helper(int helper, ControlChannel channel) {
            this.helper = helper;
            this.channel = channel;
        }

        /** Starts the helper's move into {@code group}, from another thread. */
        public void moveInto(Cgroup group) {
            CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
            moveInto(group, done, done);
        }

        /**
         * Moves the helper into {@code group}, from another thread, as soon as {@code made} has
         * made the group, while {@code limited} applies its limits: the container's process hears
         * that it is in its group only once all of them are done.
         */
        public void moveInto(Cgroup group, CompletableFuture<Void> made, CompletableFuture<Void> limited) {
            cgroup = group;
            move = CompletableFuture.allOf(Background.after(made, "vireo-init-cgroup", () -> group.add(helper)), limited);
        }

        /**
         * Runs a plan, after {@link #moveInto}. The container's process joins the cgroup before
         * it forks or executes. Returns when it waits for {@code start} (create) or has executed
         * its program (exec).
         */
        public Started run(Planner.Plan plan, boolean create, Callbacks callbacks) {
            ran = true;
            int pid = 0;
            Fd console = null;
            List<String> warnings = new ArrayList<>();
            boolean done = false;
            try (channel) {
                channel.write(plan.bytes());
                while (!done) {
                    ControlChannel.Message m = channel.receive();
                    switch (m.type()) {
                        case ControlChannel.USERMAP -> {
                            writeIdMaps((int) m.number(), plan);
                            channel.send(ControlChannel.ACK, new byte[0]);
                        }
                        case ControlChannel.PID -> {
                            pid = (int) m.number();
                            // The process goes on meanwhile; one that failed has closed its end, its ERROR still to be read.
                            channel.sendIfOpen(ControlChannel.GO, callbacks.state(pid).getBytes(StandardCharsets.UTF_8));
                            Background.join(move);
                            cgroup.add(pid);
                            channel.sendIfOpen(ControlChannel.JOINED, new byte[0]);
                        }
                        case ControlChannel.HOOKS -> {
                            callbacks.runtimeHooks(pid);
                            channel.send(ControlChannel.ACK, new byte[0]);
                        }
                        case ControlChannel.CONSOLE -> console = m.fd();
                        case ControlChannel.WARN -> warnings.add(m.text());
                        case ControlChannel.ERROR -> throw new ContainerException(m.text());
                        case ControlChannel.READY -> done = create;
                        case -1 -> {
                            if (!create && pid != 0) {
                                done = true;
                            } else {
                                if (move != null) Background.settle(move); // before died() reaps the helper, see end()
                                String why = died(helper, pid);
                                pid = 0; // reaped: its number may already belong to another process
                                throw new ContainerException(why);
                            }
                        }
                        default -> throw new ContainerException("vireo-init sent unknown message " + m.type());
                    }
                }
                reap(helper);
                return new Started(pid, console, List.copyOf(warnings));
            } catch (RuntimeException e) {
                if (console != null) console.close();
                abandon(pid);
                end();
                throw e;
            }
        }

        /** A helper never given its plan reads the end of the stream and exits. */
        @Override
        public void close() {
            if (ran) return;
            channel.close();
            end();
        }

        /** Reaps the helper, not before its move has written its PID: once reaped, the PID may name another process. */
        private void end() {
            if (move != null) Background.settle(move);
            reap(helper);
        }
    }

    /** The descriptor for one stream; those the runtime opens itself are closed once the helper has them. */
    private static Fd open(Stdio.Stream stream, int number, List<Fd> opened) {
        Fd fd = switch (stream) {
            case Stdio.Inherit _ -> Fd.own(number);
            case Stdio.Descriptor d -> d.fd();
            case Stdio.Null _ -> FileIo.open("/dev/null", FileIo.O_RDWR);
            case Stdio.ReadFile f -> FileIo.open(f.path().toString(), FileIo.O_RDONLY);
            case Stdio.WriteFile f -> FileIo.open(f.path().toString(),
                    FileIo.O_WRONLY | FileIo.O_CREAT | (f.append() ? FileIo.O_APPEND : FileIo.O_TRUNC), 0644);
        };
        if (!(stream instanceof Stdio.Inherit) && !(stream instanceof Stdio.Descriptor)) opened.add(fd);
        return fd;
    }

    /** The JVM, root in the parent namespace, writes the maps (no setgroups=deny is needed then). */
    private static void writeIdMaps(int pid, Planner.Plan plan) {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/uid_map"), plan.uidMap(), StandardOpenOption.WRITE);
            Files.writeString(Path.of("/proc/" + pid + "/gid_map"), plan.gidMap(), StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new ContainerException("linux.uidMappings: the kernel refused the ID maps: " + e.getMessage());
        }
    }

    /** Why the helper went quiet without reporting: its exit status, or the container process's. */
    private static String died(int helper, int pid) {
        if (pid != 0) {
            Processes.Exit exit = Processes.waitpid(pid, 0);
            return switch (exit) {
                case Processes.Exit.Exited e -> "the container's process exited with status " + e.status() + " while it was set up";
                case Processes.Exit.Signaled s -> "the container's process was killed by " + Signals.name(s.signal())
                        + " while it was set up" + (s.signal() == Signals.SIGSYS ? " (a seccomp filter refused a call)" : "");
            };
        }
        Processes.Exit exit = Processes.waitpid(helper, 0);
        return "vireo-init ended without a report (" + switch (exit) {
            case Processes.Exit.Exited e -> "exit status " + e.status();
            case Processes.Exit.Signaled s -> "killed by " + Signals.name(s.signal());
        } + ")";
    }

    /** Kills and reaps a container process whose setup failed. */
    private static void abandon(int pid) {
        if (pid == 0) return;
        try {
            Signals.kill(pid, Signals.SIGKILL);
            Processes.waitpid(pid, 0);
        } catch (SysException e) {
            if (!e.is(Errno.ESRCH) && !e.is(Errno.ECHILD)) throw e;
        }
    }

    private static void reap(int helper) {
        try {
            Processes.waitpid(helper, 0);
        } catch (SysException e) {
            if (!e.is(Errno.ECHILD)) throw e;
        }
    }
}
