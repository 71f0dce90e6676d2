package dev.vireo.containers;

import dev.vireo.containers.logs.CriLogReader;
import dev.vireo.containers.spec.Users;
import dev.vireo.containers.state.ContainerStore;
import dev.vireo.containers.state.Names;
import dev.vireo.containers.supervise.Bundles;
import dev.vireo.containers.supervise.Monitor;
import dev.vireo.containers.supervise.MountPoints;
import dev.vireo.containers.supervise.Supervisor;
import dev.vireo.image.Image;
import dev.vireo.image.ImageConfig;
import dev.vireo.oci.ImageRef;
import dev.vireo.image.ImageStore;
import dev.vireo.image.Layer;
import dev.vireo.image.Progress;
import dev.vireo.image.Rootfs;
import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.ContainerRuntime;
import dev.vireo.runtime.ExecOptions;
import dev.vireo.runtime.ExecRequest;
import dev.vireo.runtime.ExitStatus;
import dev.vireo.runtime.Stdio;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Processes;
import dev.vireo.sys.Signals;
import dev.vireo.sys.SysException;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Containers from images, daemonless as podman runs them: each command is its own process,
 * the state is in files under {@code <root>/containers}, and a running container's parent is
 * the process that waits for it (the foreground {@code vireo run}, or the detached monitor of
 * {@code run -d}). The image store and the runtime are opened when a command first needs them.
 */
public final class Containers {
    private final Path root;
    private final ContainerStore store;
    private final Consumer<String> warnings;
    private ImageStore images;
    private ContainerRuntime runtime;

    private Containers(Path root, Consumer<String> warnings) {
        this.root = root;
        this.store = new ContainerStore(root);
        this.warnings = warnings;
    }

    /** The containers of the store under {@code root} (the image store's root). */
    public static Containers open(Path root, Consumer<String> warnings) {
        return new Containers(root, warnings);
    }

    /** What {@code create} needs besides the run options: the image, a name, {@code --rm} and {@code -i}. */
    public record CreateRequest(String image, String name, RunOptions options, boolean autoRemove, boolean interactive) {}

    /** {@code exec}'s process: its command and what differs from the container's own process. */
    public record ExecCommand(List<String> args, List<String> env, String workdir, String user, boolean interactive,
                              boolean tty) {}

    public ImageStore images() throws IOException {
        if (images == null) images = ImageStore.open(root);
        return images;
    }

    private ContainerRuntime runtime() {
        if (runtime == null) runtime = ContainerRuntime.open(store.runtimeRoot(), warnings);
        return runtime;
    }

    /**
     * Makes a container: its record and name, its root filesystem over the image's layers, and
     * its bundle (config.json converted from the image, generated files, volumes). Nothing runs yet.
     */
    public Container create(CreateRequest request, Progress progress) throws IOException {
        Image image = images().resolve(request.image());
        ImageConfig config = image.config();
        String id = store.newId();
        RunOptions given = request.options();
        int cpus = Runtime.getRuntime().availableProcessors();
        if (given.nanoCpus() != null && given.nanoCpus() > cpus * 1_000_000_000L) {
            throw new BadInputException("--cpus: the range is 0.01 to " + cpus + ", the CPUs this machine has");
        }
        RunOptions options = given.toBuilder()
                .hostname(given.hostname() == null ? id.substring(0, 12) : given.hostname())
                .memorySwap(given.memory() != null && given.memorySwap() == null && swapAccounted()
                        ? Long.valueOf(2 * given.memory()) : given.memorySwap())
                .volumes(store.dir(id).resolve("volumes"))
                .build();
        List<String> command = RuntimeSpecs.command(config, options);
        Container c = new Container(id, request.name(), request.image(), image.id().toString(),
                Instant.now(), command, committedConfig(config, options), stopSignal(config), request.autoRemove(),
                options.terminal(), request.interactive(), Container.Status.CREATED, 0, 0, 0, 0, null, null, null, false, null);
        c = claim(c, request.name() == null);
        try {
            Rootfs rootfs = images().prepareRootfs(id, image, progress);
            RuntimeSpec spec = RuntimeSpecs.fromImage(config, rootfs.merged(), options);
            RuntimeSpec bundle = Bundles.prepare(spec, config, options, store.dir(id), rootfs.merged());
            MountPoints.record(bundle, rootfs.merged(), store.dir(id));
            bundle.writeBundle(store.dir(id));
            return c;
        } catch (IOException | RuntimeException e) {
            try {
                images().removeRootfs(id);
                store.delete(c);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Whether the kernel accounts swap per cgroup: then {@code --memory} alone allows as much swap again (Docker's and podman's rule). */
    private static boolean swapAccounted() {
        return Files.exists(Path.of("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"))
                || Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    }

    private Container claim(Container c, boolean generatedName) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Container named = generatedName ? c.withName(Names.random(attempt)) : c;
            try {
                store.create(named);
                return named;
            } catch (BadInputException e) {
                if (!generatedName || attempt >= 10) throw e;
            }
        }
    }

    /**
     * Runs a created container attached to this process, which is its parent until it ends:
     * its output copied here and to its log, its exit recorded. Returns its exit status; an
     * {@code --rm} container is removed after.
     */
    public ExitStatus run(Container c) throws IOException {
        try {
            return new Supervisor(runtime(), store).run(c, rootfs(c), true, _ -> { });
        } finally {
            finish(c);
        }
    }

    /** Starts a created container under a detached monitor process ({@code monitorCommand} plus the ID) and returns once it runs. */
    public Container start(Container c, List<String> monitorCommand) throws IOException {
        List<String> command = new ArrayList<>(monitorCommand);
        command.add(c.id());
        Monitor.launch(command, store.dir(c.id()).resolve("monitor.log"));
        return store.load(c.id());
    }

    /** The body of the detached monitor: supervises container {@code id}, reporting to its launcher. */
    public void monitor(String id) throws IOException {
        Container c = store.load(id);
        if (c == null) throw new NoSuchContainerException(id);
        try {
            new Supervisor(runtime(), store).run(c, rootfs(c), false, _ -> Monitor.report(null));
        } catch (StartFailedException e) {
            Monitor.report(e);
        } catch (IOException | RuntimeException e) {
            Monitor.report(new StartFailedException(StartFailedException.ENGINE, e.getMessage(), e));
            throw e;
        } finally {
            finish(c);
        }
    }

    /**
     * After the end: an {@code --rm} container goes; another keeps its upper layer, unmounted and
     * without the mount points made for it, for {@code commit}.
     */
    private void finish(Container c) throws IOException {
        if (c.autoRemove()) {
            Container now = store.load(c.id());
            if (now != null) removeStopped(now);
        } else {
            images().unmountRootfs(c.id());
            MountPoints.removeFrom(images().describeRootfs(c.id()).upper(), store.dir(c.id()));
        }
    }

    private Path rootfs(Container c) throws IOException {
        return images().describeRootfs(c.id()).merged();
    }

    /** Every container, with the state its processes show now (a container whose monitor died is shown exited). */
    public List<Container> list() throws IOException {
        List<Container> all = new ArrayList<>();
        for (Container c : store.list()) all.add(observed(c));
        return all;
    }

    /** A container by name, ID or unique ID prefix. */
    public Container find(String reference) throws IOException {
        return observed(store.find(reference));
    }

    /**
     * {@code logs}: the container's output from its CRI log to {@code sink}; with {@code follow},
     * then what it writes next, until it has ended and everything is read.
     */
    public void logs(String reference, boolean follow, LogSink sink) throws IOException, InterruptedException {
        Container c = find(reference);
        CriLogReader reader = new CriLogReader(store.dir(c.id()).resolve("ctr.log"));
        reader.readAvailable(sink);
        if (!follow) return;
        // Read again whenever the container's directory changes (the log grows, the record
        // says it ended); a bounded wait, because a container whose monitor dies changes no file.
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            store.dir(c.id()).register(watch, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
            while (true) {
                Container now = store.load(c.id());
                boolean running = now != null && observed(now).running();
                reader.readAvailable(sink);
                if (!running) return;
                WatchKey key = watch.poll(1, TimeUnit.SECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    private static Container observed(Container c) {
        if (c.status() != Container.Status.RUNNING || Supervisor.alive(c.pid(), c.pidStart())
                || Supervisor.alive(c.monitor(), c.monitorStart())) {
            return c;
        }
        return c.exited(null, false, null, "its monitor ended before it did");
    }

    /**
     * {@code stop}: the image's stop signal (SIGTERM when it names none), then after
     * {@code timeout} SIGKILL to every process of the container; returns once its end is recorded.
     */
    public Container stop(String reference, Duration timeout) throws IOException {
        Container c = find(reference);
        if (!c.running()) return c;
        int signal = c.stopSignal() == null ? Signals.SIGTERM : Signals.parse(c.stopSignal());
        if (!signal(c, signal, false) || !awaitEnd(c.pid(), c.pidStart(), timeout)) {
            signal(c, Signals.SIGKILL, true);
            awaitEnd(c.pid(), c.pidStart(), null);
        }
        awaitEnd(c.monitor(), c.monitorStart(), null);
        Container after = store.load(c.id());
        return after == null ? c : observed(after);
    }

    /** {@code kill}: a signal to the container's first process; false when it has already ended. */
    private boolean signal(Container c, int signal, boolean all) {
        try {
            runtime().kill(c.id(), signal, all);
            return true;
        } catch (ContainerException e) {
            return false;
        }
    }

    /** Waits until process {@code pid} (started at {@code start}) ends; false if it outlived {@code timeout}. */
    private static boolean awaitEnd(int pid, long start, Duration timeout) {
        if (!Supervisor.alive(pid, start)) return true;
        try (Fd pidfd = Processes.pidfdOpen(pid)) {
            if (!Supervisor.alive(pid, start)) return true;
            int millis = timeout == null ? -1 : (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            return Processes.poll(List.of(pidfd), millis) == 0;
        } catch (SysException e) {
            return true;
        }
    }

    /** {@code rm}: a running container is refused unless {@code force}, which kills it first. */
    public Container remove(String reference, boolean force) throws IOException {
        Container c = find(reference);
        if (c.running()) {
            if (!force) throw new ContainerConflictException("container " + c.name() + " is running: stop it first, or rm -f");
            signal(c, Signals.SIGKILL, true);
            awaitEnd(c.pid(), c.pidStart(), null);
            awaitEnd(c.monitor(), c.monitorStart(), null);
            c = store.load(c.id());
            if (c == null) return null;
        }
        removeStopped(c);
        return c;
    }

    /** Runtime state, root filesystem with its upper layer, then the container's directory, record last. */
    private void removeStopped(Container c) throws IOException {
        try (ContainerStore.Lock _ = store.lock(c.id())) {
            try {
                runtime().delete(c.id(), true);
            } catch (ContainerException e) {
                // No runtime state: the monitor deleted it when the container ended.
            }
            images().removeRootfs(c.id());
            store.delete(c);
        }
    }

    /**
     * {@code commit}: the container's upper layer as a new layer on its image, with the
     * container's configuration (its environment, command, working directory, user).
     */
    public Image commit(String reference, String imageName, String author, String message) throws IOException {
        Container c = find(reference);
        ImageStore store = images();
        Rootfs rootfs = store.describeRootfs(c.id());
        Image base = store.resolve(rootfs.image().toString());
        ImageRef name = imageName == null ? null : ImageRef.parse(imageName);
        try (ImageStore.Lease _ = store.lease()) {
            Layer layer = store.commitLayer(base.topChainId(), rootfs.upper(), true, Progress.NONE);
            String created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            ImageConfig.Container was = base.config().config() == null ? ImageConfig.Container.empty() : base.config().config();
            Container.Config cfg = c.config();
            ImageConfig.Container now = new ImageConfig.Container(cfg.user(), was.exposedPorts(), cfg.env(), cfg.entrypoint(),
                    cfg.cmd(), was.volumes(), cfg.workingDir(), was.labels(), was.stopSignal(), was.argsEscaped(),
                    was.healthcheck(), was.shell(), was.onBuild());
            ImageConfig config = new ImageConfig(created, author == null ? base.config().author() : author,
                    base.config().architecture(), base.config().os(), base.config().variant(), now, base.config().rootfs(),
                    base.config().history())
                    .withLayer(layer.diffId(), new ImageConfig.History(created, "vireo commit " + c.name(), author, message, null));
            List<Layer> layers = new ArrayList<>(base.layers());
            layers.add(layer);
            Image image = store.commit(config, layers);
            if (name != null) store.tag(name, image.descriptor());
            else store.record(image.descriptor());
            return image;
        }
    }

    /** {@code exec}: a process in a running container; its exit status (the shell's convention). */
    public int exec(String reference, ExecCommand command) throws IOException {
        Container c = find(reference);
        if (!c.running()) throw new ContainerConflictException("container " + c.name() + " is not running");
        Path rootfs = rootfs(c);
        String user = null;
        List<Long> gids = null;
        if (command.user() != null) {
            Users.Resolved u = Users.resolve(rootfs, command.user());
            user = u.uid() + ":" + u.gid();
            gids = u.additionalGids();
        }
        for (String e : command.env()) {
            if (e.indexOf('=') <= 0) throw new BadInputException("invalid environment entry '" + e + "': expected NAME=VALUE");
        }
        if (command.workdir() != null && !command.workdir().startsWith("/")) {
            throw new BadInputException("the working directory '" + command.workdir() + "' is invalid: it must be an absolute path");
        }
        ExecRequest request = new ExecRequest(null, command.args(), command.env(), command.workdir(), user, gids,
                command.tty() ? Boolean.TRUE : null, null, null);
        Stdio stdio = new Stdio(command.interactive() ? new Stdio.Inherit() : new Stdio.Null(), new Stdio.Inherit(),
                new Stdio.Inherit());
        try {
            return runtime().exec(c.id(), request, new ExecOptions(stdio, null, null, 0, false)).exit().code();
        } catch (ContainerException e) {
            throw Supervisor.classify(e, rootfs, command.args().getFirst());
        }
    }

    /** Sends {@code signal} to a running container's first process ({@code run}'s signal forwarding). */
    public void kill(Container c, int signal) {
        signal(c, signal, false);
    }

    private static Container.Config committedConfig(ImageConfig image, RunOptions o) {
        ImageConfig.Container c = image.config() == null ? ImageConfig.Container.empty() : image.config();
        List<String> env = RuntimeSpecs.mergedEnv(c, o);
        List<String> entrypoint = o.entrypoint() != null ? o.entrypoint() : c.entrypoint();
        List<String> cmd = o.cmd() != null ? o.cmd() : o.entrypoint() != null ? null : c.cmd();
        return new Container.Config(env, entrypoint, cmd, o.workdir() != null ? o.workdir() : c.workingDir(),
                o.user() != null ? o.user() : c.user());
    }

    private static String stopSignal(ImageConfig image) {
        return image.config() == null ? null : image.config().stopSignal();
    }
}
