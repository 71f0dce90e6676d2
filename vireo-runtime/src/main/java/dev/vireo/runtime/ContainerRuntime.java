package dev.vireo.runtime;

import dev.vireo.runtime.cgroups.Cgroup;
import dev.vireo.runtime.cgroups.Cgroups;
import dev.vireo.runtime.linux.Background;
import dev.vireo.runtime.linux.Hooks;
import dev.vireo.runtime.linux.Launcher;
import dev.vireo.runtime.linux.Planner;
import dev.vireo.runtime.linux.ProcStat;
import dev.vireo.runtime.linux.TerminalPump;
import dev.vireo.runtime.seccomp.DefaultProfile;
import dev.vireo.runtime.seccomp.SeccompCache;
import dev.vireo.runtime.seccomp.SeccompCompiler;
import dev.vireo.runtime.spec.ConfigLoader;
import dev.vireo.runtime.spec.ConfigValidator;
import dev.vireo.runtime.spec.DefaultSpec;
import dev.vireo.runtime.spec.ExecProcesses;
import dev.vireo.runtime.spec.Features;
import dev.vireo.runtime.spec.HostFacts;
import dev.vireo.runtime.spec.Json;
import dev.vireo.runtime.spec.ProcessSpec;
import dev.vireo.runtime.spec.SeccompSpec;
import dev.vireo.runtime.spec.Spec;
import dev.vireo.runtime.state.ContainerRecord;
import dev.vireo.runtime.state.StateStore;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.Processes;
import dev.vireo.sys.Signals;
import dev.vireo.sys.SysException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An OCI runtime (runtime-spec 1.x) with the operations of runtime.md and runc's extras:
 * {@code create}, {@code start}, {@code state}, {@code kill}, {@code delete}, and {@code run},
 * {@code exec}, {@code stats}, {@code list}. This is what the {@code vireo runtime} command
 * calls, and what a long-lived process (the engine) calls directly, paying no JVM start-up.
 *
 * <p>A failed operation leaves the state as it was: a failed {@code create} leaves no state
 * directory, cgroup, mount, namespace or process behind.
 */
public final class ContainerRuntime {
    private final StateStore store;
    private final SeccompCache seccomp;
    private final Cgroups cgroups;
    private final HostFacts host;
    private final Consumer<String> warnings;

    private ContainerRuntime(StateStore store, Cgroups cgroups, HostFacts host, Consumer<String> warnings) {
        this.store = store;
        this.seccomp = new SeccompCache(store.root().resolve(".cache/seccomp"));
        this.cgroups = cgroups;
        this.host = host;
        this.warnings = warnings;
    }

    /** A runtime keeping its state under {@code root}; warnings (as the spec asks to log) go to {@code warnings}. */
    public static ContainerRuntime open(Path root, Consumer<String> warnings) {
        Cgroups cgroups = Cgroups.detect();
        return new ContainerRuntime(new StateStore(root), cgroups, HostFacts.current(cgroups.v2()), warnings);
    }

    /**
     * Loads now what the first container of a process needs and keeps for the next: the
     * helper's sealed image and the default seccomp profile, both read from this module's jar
     * (10-15 ms in a fresh JVM). For a program that can do this on another thread while its
     * main thread does other work; a thread that needs them meanwhile waits.
     */
    public static void prepare() {
        DefaultProfile.prepare();
        Launcher.prepare();
    }

    /** What {@code create} hands back: the state, and the terminal's master when no console socket took it. */
    public record Created(ContainerState state, Fd console) {}

    /** Builds the container's environment; its process waits for {@link #start}. */
    public Created create(String id, Path bundle, CreateOptions options) {
        Made made = make(id, bundle, options);
        return new Created(view(made.record(), Status.CREATED), made.console());
    }

    /** A created container: its state as saved, and the terminal's master when no console socket took it. */
    private record Made(ContainerRecord record, Fd console) {}

    private Made make(String id, Path bundle, CreateOptions options) {
        StateStore.checkId(id);
        Path dir = bundle.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) throw new ConfigException("bundle " + dir + " does not exist or is not a directory");
        byte[] config = ConfigLoader.bytes(dir);
        Spec spec = ConfigLoader.parse(config);
        // The filter is compiled (or found by its profile's digest) while the config is
        // validated; it is used only if the validator takes the config.
        SeccompSpec profile = spec.linux() == null ? null : spec.linux().seccomp();
        CompletableFuture<SeccompCompiler.Program> compiled = profile == null ? CompletableFuture.completedFuture(null)
                : Background.supply("vireo-seccomp", () -> seccomp.compile(profile));
        ConfigValidator.validate(spec, dir, host).forEach(warnings);
        if (Boolean.TRUE.equals(spec.process().terminal()) && options.detached() && options.consoleSocket() == null) {
            throw new ConfigException("process.terminal: a detached container's terminal needs --console-socket to go to");
        }
        SeccompCompiler.Program filter = Background.join(compiled);
        store.claim(id);
        StateStore.Lock held;
        try {
            held = store.lock(id);
        } catch (RuntimeException e) {
            store.remove(id);
            throw e;
        }
        try (StateStore.Lock _ = held) {
            Cgroup group = cgroups.forContainer(id, spec.linux() == null ? null : spec.linux().cgroupsPath());
            ContainerRecord record = new ContainerRecord(spec.ociVersion(), id, dir.toString(), 0, 0,
                    Instant.now().toString(), spec.annotations(), paths(group),
                    dir.resolve(spec.root().path()).normalize().toString(), spec.hooks());
            // The record first (it names the group for a delete --force after a crash), then the
            // group's directories, while this thread starts the helper. The helper's move into the
            // group waits for an RCU grace period: it starts as soon as both are there, and the
            // limits, the config, the plan and the rest of create overlap it.
            ContainerRecord creating = record;
            CompletableFuture<Void> made = Background.start("vireo-cgroup", () -> {
                store.save(creating);
                group.make(spec.linux() == null ? null : spec.linux().resources());
            });
            CompletableFuture<Void> limited = Background.after(made, "vireo-cgroup-limits", () -> {
                group.limit(spec.linux() == null ? null : spec.linux().resources());
                store.saveConfig(id, config);
            });
            Launcher.Started started = null;
            try {
                try (Launcher.Helper helper = Launcher.start(options.stdio(), options.preserveFds())) {
                    helper.moveInto(group, made, limited);
                    Planner.Plan plan = Planner.create(spec, dir, store.dir(id), group, host, filter,
                            options.consoleSocket() == null ? null : options.consoleSocket().toAbsolutePath().toString(),
                            options.preserveFds(), options.noPivot());
                    Background.join(made); // the root file system binds the group's directories
                    started = helper.run(plan, true, new Launcher.Callbacks() {
                        @Override
                        public String state(int pid) {
                            return view(creating.withPid(pid, 0), Status.CREATING).toJson();
                        }

                        @Override
                        public void runtimeHooks(int pid) {
                            String state = state(pid);
                            Spec.Hooks hooks = spec.hooks();
                            Hooks.run(hooks.prestart(), "prestart", state);
                            Hooks.run(hooks.createRuntime(), "createRuntime", state);
                        }
                    });
                }
                ProcStat stat = ProcStat.read(started.pid());
                if (stat == null) throw new ContainerException("the container's process " + started.pid() + " vanished");
                record = record.withPid(started.pid(), stat.startTime());
                store.save(record);
                if (options.pidFile() != null) StateStore.writePidFile(options.pidFile(), started.pid());
                return new Made(record, started.console());
            } catch (RuntimeException e) {
                // The group is this container's to remove only if make() made it: one that holds
                // another's processes was refused.
                Background.settle(limited);
                rollback(id, Background.settle(made) ? group : null, started, e);
                throw e;
            }
        }
    }

    /** Undoes a create that failed part way, so that nothing of it remains. */
    private void rollback(String id, Cgroup cgroup, Launcher.Started started, RuntimeException failure) {
        try {
            if (started != null) {
                if (started.console() != null) started.console().close();
                reap(started.pid(), true);
            }
            if (cgroup != null) {
                cgroup.killAll();
                cgroup.destroy();
            }
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        } finally {
            store.remove(id);
        }
    }

    /** Lets the process of a created container run its program. */
    public ContainerState start(String id) {
        ContainerRecord record;
        try (StateStore.Lock _ = store.lock(id)) {
            record = store.load(id);
            Status status = status(record);
            if (status != Status.CREATED) throw new ContainerException("container " + id + " is " + status + ", not created");
            release(record);
        }
        ContainerState state = view(record, Status.RUNNING);
        poststart(record, state);
        return state;
    }

    /**
     * Opens the exec FIFO the container's process waits on, so that it goes on to its program.
     * The caller holds the container's lock.
     */
    private void release(ContainerRecord record) {
        Path fifo = store.dir(record.id()).resolve("exec.fifo");
        try (Fd reader = FileIo.open(fifo.toString(), FileIo.O_RDONLY | FileIo.O_NONBLOCK);
             Fd pidfd = Processes.pidfdOpen(record.pid())) {
            if (Processes.poll(List.of(reader, pidfd), -1) != 0) {
                throw new ContainerException("the process of container " + record.id() + " ended before it was started");
            }
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                if (FileIo.read(reader, arena.allocate(1)) != 1) {
                    throw new ContainerException("the process of container " + record.id() + " ended before it was started");
                }
            }
        }
        store.removeFifo(record.id());
    }

    /** Runs the poststart hooks, if any, on {@code state} (null: made here); a failing one is a warning. */
    private void poststart(ContainerRecord record, ContainerState state) {
        if (record.hooks() == null || record.hooks().poststart() == null) return;
        try {
            Hooks.run(record.hooks().poststart(), "poststart", (state != null ? state : view(record, Status.RUNNING)).toJson());
        } catch (ContainerException e) {
            warnings.accept(e.getMessage());
        }
    }

    public ContainerState state(String id) {
        ContainerRecord record = store.load(id);
        return view(record, status(record));
    }

    /** Every container in the state directory. */
    public List<ContainerState> list() {
        List<ContainerState> states = new ArrayList<>();
        for (String id : store.ids()) {
            if (store.exists(id)) states.add(state(id));
        }
        return states;
    }

    /** Sends {@code signal} to the container's process, or with {@code all} to every process in its cgroup. */
    public void kill(String id, int signal, boolean all) {
        ContainerRecord record = store.load(id);
        Status status = status(record);
        if (status != Status.CREATED && status != Status.RUNNING) {
            throw new ContainerException("container " + id + " is " + status + ": it has no process to signal");
        }
        if (all) {
            for (int pid : cgroup(record).processes()) signalQuietly(pid, signal);
            return;
        }
        try (Fd pidfd = Processes.pidfdOpen(record.pid())) {
            ProcStat stat = ProcStat.read(record.pid());
            if (stat == null || stat.startTime() != record.pidStartTime()) {
                throw new ContainerException("container " + id + " is stopped: it has no process to signal");
            }
            Signals.send(pidfd, signal);
        }
    }

    /**
     * Removes a stopped (or created) container: its cgroup, its state, then the poststop hooks.
     * With {@code force} a running one is killed first.
     */
    public void delete(String id, boolean force) {
        List<Spec.Hook> poststop;
        ContainerState last = null;
        if (force && !store.exists(id) && Files.isDirectory(store.dir(id))) {
            // A create that died before its first state write left only its directory.
            store.remove(id);
            return;
        }
        try (StateStore.Lock _ = store.lock(id)) {
            ContainerRecord record = store.load(id);
            Status status = status(record);
            if ((status == Status.RUNNING || status == Status.CREATING) && !force) {
                throw new ContainerException("container " + id + " is " + status + ": stop it first, or delete --force");
            }
            poststop = record.hooks() == null ? null : record.hooks().poststop();
            // The state the poststop hooks read (with the group's OOM count), while the group is there.
            if (poststop != null) last = view(record, Status.STOPPED);
            Cgroup cgroup = cgroup(record);
            cgroup.killAll();
            ProcStat stat = record.pid() == 0 ? null : ProcStat.read(record.pid());
            if (stat != null && stat.startTime() == record.pidStartTime()) reap(record.pid(), false);
            cgroup.destroy();
            store.remove(id);
        }
        if (poststop != null) {
            try {
                Hooks.run(poststop, "poststop", last.toJson());
            } catch (ContainerException e) {
                warnings.accept(e.getMessage());
            }
        }
    }

    /**
     * create, start, wait, delete: the container's exit status. With a terminal and no console
     * socket, this process's own terminal is the container's.
     */
    public ExitStatus run(String id, Path bundle, CreateOptions options) {
        Made made = make(id, bundle, options);
        ContainerRecord record = made.record();
        try (TerminalPump _ = made.console() == null ? null : TerminalPump.start(made.console())) {
            // start, with the record create just saved: no state to read back, no view to build.
            try (StateStore.Lock _ = store.lock(id)) {
                release(record);
            }
            poststart(record, null);
            return await(id, record.pid());
        } finally {
            delete(id, true);
        }
    }

    /**
     * Waits for the process of container {@code id} to end; it must be a child of this process
     * (created by this runtime object, in this JVM).
     */
    public ExitStatus await(String id, int pid) {
        Processes.Exit exit = Processes.waitpid(pid, 0);
        return switch (exit) {
            case Processes.Exit.Exited e -> new ExitStatus.Exited(e.status());
            case Processes.Exit.Signaled s when s.signal() == Signals.SIGKILL && oomKills(id) > 0 -> new ExitStatus.OomKilled(s.signal());
            case Processes.Exit.Signaled s -> new ExitStatus.Killed(s.signal());
        };
    }

    /** What {@code exec} did: the process's PID, and its exit status unless it was detached. */
    public record Exec(int pid, ExitStatus exit) {}

    /** Runs a process inside running container {@code id}, in its namespaces and cgroup. */
    public Exec exec(String id, ExecRequest request, ExecOptions options) {
        ContainerRecord record = store.load(id);
        Status status = status(record);
        if (status != Status.RUNNING && status != Status.CREATED) {
            throw new ContainerException("container " + id + " is " + status + ": exec needs a running container");
        }
        Spec spec = store.config(id);
        ProcessSpec process = ExecProcesses.resolve(spec, request);
        if (Boolean.TRUE.equals(process.terminal()) && options.detach() && options.consoleSocket() == null) {
            throw new ConfigException("exec: a detached process with a terminal needs --console-socket");
        }
        Spec checked = spec.withProcess(process);
        ConfigValidator.validate(checked, Path.of(record.bundle()), host).forEach(warnings);
        SeccompCompiler.Program filter = spec.linux() == null || spec.linux().seccomp() == null ? null
                : seccomp.compile(spec.linux().seccomp());
        Planner.Plan plan = Planner.exec(spec, record.pid(), process, host, filter,
                options.consoleSocket() == null ? null : options.consoleSocket().toAbsolutePath().toString(),
                options.preserveFds());
        Launcher.Started started;
        try (Launcher.Helper helper = Launcher.start(options.stdio(), options.preserveFds())) {
            helper.moveInto(cgroup(record));
            started = helper.run(plan, false, new Launcher.Callbacks() {
                @Override
                public String state(int pid) {
                    return view(record, Status.RUNNING).toJson();
                }

                @Override
                public void runtimeHooks(int pid) {
                    throw new IllegalStateException("exec runs no runtime hooks");
                }
            });
        }
        if (options.pidFile() != null) StateStore.writePidFile(options.pidFile(), started.pid());
        if (options.detach()) {
            if (started.console() != null) started.console().close();
            return new Exec(started.pid(), null);
        }
        try (TerminalPump _ = started.console() == null ? null : TerminalPump.start(started.console())) {
            return new Exec(started.pid(), await(id, started.pid()));
        }
    }

    public ContainerStats stats(String id) {
        return cgroup(store.load(id)).stats();
    }

    /** Docker's defaults for a container running {@code args}, as {@code vireo runtime spec} writes them. */
    public String defaultSpec(List<String> args) {
        return Json.write(DefaultSpec.create(args, cgroups.v2()));
    }

    /** The features document (runtime-spec features.md). */
    public String features(String version) {
        return Json.write(Features.describe(host.lastCapability(), version));
    }

    private long oomKills(String id) {
        return store.exists(id) ? cgroup(store.load(id)).oomKills() : 0;
    }

    private Cgroup cgroup(ContainerRecord record) {
        Map<String, Path> paths = new LinkedHashMap<>();
        record.cgroup().forEach((k, v) -> paths.put(k, Path.of(v)));
        return cgroups.restore(paths);
    }

    private static Map<String, String> paths(Cgroup cgroup) {
        Map<String, String> paths = new LinkedHashMap<>();
        cgroup.paths().forEach((k, v) -> paths.put(k, v.toString()));
        return paths;
    }

    /** The lifecycle state, read from the process and the exec FIFO: no daemon keeps it. */
    private Status status(ContainerRecord record) {
        if (record.pid() == 0) return Status.CREATING;
        ProcStat stat = ProcStat.read(record.pid());
        if (stat == null || stat.startTime() != record.pidStartTime() || !stat.running()) return Status.STOPPED;
        return Files.exists(store.dir(record.id()).resolve("exec.fifo")) ? Status.CREATED : Status.RUNNING;
    }

    private ContainerState view(ContainerRecord record, Status status) {
        Boolean oom = null;
        if (status == Status.STOPPED || status == Status.RUNNING) oom = cgroup(record).oomKills() > 0 ? Boolean.TRUE : null;
        int pid = status == Status.STOPPED ? 0 : record.pid();
        return new ContainerState(record.ociVersion(), record.id(), status, pid, record.bundle(), record.rootfs(),
                record.created(), record.annotations(), oom);
    }

    /** Reaps the container's process if it is this JVM's child; with {@code kill}, ends it first. */
    private static void reap(int pid, boolean kill) {
        try {
            if (kill) Signals.kill(pid, Signals.SIGKILL);
            Processes.waitpid(pid, kill ? 0 : Processes.WNOHANG);
        } catch (SysException e) {
            if (!e.is(Errno.ECHILD) && !e.is(Errno.ESRCH)) throw e;
        }
    }

    private static void signalQuietly(int pid, int signal) {
        try {
            Signals.kill(pid, signal);
        } catch (SysException e) {
            if (!e.is(Errno.ESRCH)) throw e;
        }
    }
}
