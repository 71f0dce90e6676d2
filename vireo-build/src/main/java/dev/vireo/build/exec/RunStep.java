package dev.vireo.build.exec;

import dev.vireo.build.StepFailedException;
import dev.vireo.build.dockerfile.Command;
import dev.vireo.build.dockerfile.Heredoc;
import dev.vireo.build.dockerfile.Instruction;
import dev.vireo.build.dockerfile.Location;
import dev.vireo.build.fs.Copier;
import dev.vireo.build.fs.RootPath;
import dev.vireo.containers.BindMount;
import dev.vireo.containers.RunOptions;
import dev.vireo.containers.RuntimeSpec;
import dev.vireo.containers.RuntimeSpecs;
import dev.vireo.image.ImageConfig;
import dev.vireo.image.Rootfs;
import dev.vireo.runtime.ConfigException;
import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.CreateOptions;
import dev.vireo.runtime.ExitStatus;
import dev.vireo.runtime.Stdio;
import dev.vireo.sys.FileMetadata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * RUN: the command runs in a container made from the current state by the container runtime,
 * on an overlay of the state's layers whose upper directory becomes the step's layer. The
 * container gets the image's environment plus the stage's ARGs, its user and working directory,
 * and the host's network (like Docker's default bridge, it can reach out) unless
 * {@code --network=none}. The mount points the runtime has to make in the image for its own
 * mounts are taken out of the upper directory again, so they are not part of the layer.
 */
final class RunStep {
    private static final String HEREDOC_PATH = "/dev/.vireo-heredoc";

    private RunStep() {}

    static Step evaluate(Instruction.Run run, ImageConfig base, ConfigEditor config, Scope scope, Session session,
                         Stdio output, String label) {
        List<String> argv = new ArrayList<>();
        Heredoc script = null;
        if (run.command() instanceof Command.Shell shell && !run.heredocs().isEmpty()) {
            List<String> sh = config.shell == null || config.shell.isEmpty() ? Metadata.DEFAULT_SHELL : config.shell;
            if (run.heredocs().size() == 1 && shell.script().strip().equals(run.heredocs().getFirst().marker())) {
                Heredoc only = run.heredocs().getFirst();
                if (only.content().startsWith("#!")) {
                    // A script with its own interpreter runs as a file, as BuildKit runs it.
                    script = only;
                    argv.add(HEREDOC_PATH);
                } else {
                    argv.addAll(sh);
                    argv.add(only.content());
                }
            } else {
                StringBuilder text = new StringBuilder(shell.script());
                for (Heredoc doc : run.heredocs()) text.append('\n').append(doc.content()).append(doc.name());
                argv.addAll(sh);
                argv.add(text.toString());
            }
        } else {
            argv.addAll(Metadata.argv(run.command(), config));
        }
        Map<String, String> args = scope.runArgs();
        String network = run.network() == null ? "default" : run.network();
        StringBuilder prefix = new StringBuilder();
        if (!args.isEmpty()) {
            prefix.append('|').append(args.size());
            args.forEach((k, v) -> prefix.append(' ').append(k).append('=').append(v));
            prefix.append(' ');
        }
        String key = "RUN " + prefix + Metadata.json(argv) + " network=" + network
                + (script == null ? "" : " script=" + Metadata.quote(script.content()));
        String createdBy = prefix + String.join(" ", argv);
        Heredoc file = script;
        List<String> env = scope.runEnvironment();
        ImageConfig image = new ImageConfig(base.created(), base.author(), base.architecture(), base.os(), base.variant(),
                config.build(), base.rootfs(), base.history());
        Step.Action action = rootfs -> execute(rootfs, image, argv, env, network, file, session, output, label, run.where());
        return new Step(key, createdBy, config, null, action);
    }

    private static void execute(Rootfs rootfs, ImageConfig image, List<String> argv, List<String> env, String network,
                                Heredoc script, Session session, Stdio output, String label, Location at) throws IOException {
        String id = rootfs.id();
        Path merged = rootfs.merged();
        String workdir = image.config().workingDir();
        // Docker makes a working directory the image names but lacks; so does this.
        if (workdir != null && !workdir.isEmpty()) new Copier(merged, null, null).directory(workdir);
        RunOptions.Builder options = RunOptions.builder().env(env).entrypoint(List.of()).cmd(argv)
                .hostNetwork(!network.equals("none")).hostname("vireo-build");
        Path scratch = null;
        if (!network.equals("none")) {
            for (String file : List.of("/etc/resolv.conf", "/etc/hosts")) {
                if (Files.isRegularFile(Path.of(file))) options.bind(new BindMount(Path.of(file), file, true));
            }
        }
        if (script != null) {
            scratch = session.scratch().resolve(id + ".script");
            Files.writeString(scratch, script.content(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(scratch, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
            options.bind(new BindMount(scratch, HEREDOC_PATH, true));
        }
        RuntimeSpec spec;
        try {
            spec = RuntimeSpecs.fromImage(image, merged, options.build());
        } catch (IllegalArgumentException e) {
            // The image's user or command does not make sense in this image: the Dockerfile's error.
            throw at.error("RUN", e.getMessage());
        }
        MountPoints points = MountPoints.before(merged, spec.mounts().stream().map(RuntimeSpec.Mount::destination).toList());
        Path bundle = session.bundle(id);
        spec.writeBundle(bundle);
        ExitStatus exit;
        try {
            exit = session.runtime().run(id, bundle, CreateOptions.withStdio(output));
        } catch (ContainerException | ConfigException e) {
            // The container could not even start its command (no shell in the image, say): 127 as a shell says it.
            throw new StepFailedException(label + ": cannot run " + Metadata.json(argv) + ": " + e.getMessage(), 127);
        } finally {
            Session.deleteTree(bundle);
            if (scratch != null) Files.deleteIfExists(scratch);
        }
        session.store().unmountRootfs(id);
        points.removeFrom(rootfs.upper());
        if (exit.code() != 0) {
            String how = switch (exit) {
                case ExitStatus.Exited e -> "exit status " + e.status();
                case ExitStatus.OomKilled _ -> "killed by the OOM killer";
                case ExitStatus.Killed k -> "killed by signal " + k.signal();
            };
            throw new StepFailedException(label + ": the command " + Metadata.json(argv) + " failed: " + how, exit.code());
        }
    }

    /**
     * The mount points of a RUN container that its image lacks: the runtime creates them in the
     * upper directory; they are removed again afterwards, with the directories above them that
     * were copied up only to hold them (same owner and mode as below, nothing else in them).
     */
    record MountPoints(Set<String> created, Map<String, Owned> copiedUp) {
        /** A directory's mode and owner before the container ran. */
        record Owned(Object mode, Object uid, Object gid) {
            static Owned of(Path p) throws IOException {
                Map<String, Object> st = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
                return new Owned(st.get("mode"), st.get("uid"), st.get("gid"));
            }
        }

        static MountPoints before(Path merged, List<String> destinations) throws IOException {
            Set<String> created = new TreeSet<>();
            Map<String, Owned> copiedUp = new LinkedHashMap<>();
            for (String destination : destinations) {
                Path host = RootPath.resolve(merged, destination, false);
                if (!host.startsWith(merged) || Files.exists(host, LinkOption.NOFOLLOW_LINKS)) continue;
                created.add(merged.relativize(host).toString());
                for (Path p = merged.relativize(host).getParent(); p != null; p = p.getParent()) {
                    Path lower = merged.resolve(p.toString());
                    if (Files.isDirectory(lower, LinkOption.NOFOLLOW_LINKS)) copiedUp.putIfAbsent(p.toString(), Owned.of(lower));
                    else created.add(p.toString());
                }
            }
            return new MountPoints(created, copiedUp);
        }

        void removeFrom(Path upper) throws IOException {
            Set<String> all = new TreeSet<>(created);
            all.addAll(copiedUp.keySet());
            List<String> deepestFirst = new ArrayList<>(all);
            deepestFirst.sort((a, b) -> Integer.compare(b.split("/").length, a.split("/").length));
            for (String relative : deepestFirst) {
                Path p = upper.resolve(relative);
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) continue;
                Owned before = copiedUp.get(relative);
                if (before != null && !created.contains(relative)) {
                    // A directory the command itself changed, or made opaque, is the command's work.
                    if (!before.equals(Owned.of(p)) || FileMetadata.getXattr(p.toString(), "trusted.overlay.opaque") != null) continue;
                }
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (var children = Files.list(p)) {
                        if (children.findAny().isPresent()) continue;
                    }
                } else if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || Files.size(p) != 0) {
                    continue;
                }
                Files.delete(p);
            }
        }
    }
}
