package dev.vireo.containers.supervise;

import dev.vireo.containers.RuntimeSpec;
import dev.vireo.containers.RuntimeSpecs;
import dev.vireo.containers.RunOptions;
import dev.vireo.containers.spec.RootPaths;
import dev.vireo.image.ImageConfig;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a container's bundle needs beyond the converted configuration, as podman gives it: its
 * own {@code /etc/hostname} and {@code /etc/hosts} (and the host's {@code /etc/resolv.conf}
 * on the host's network), bound from the container's directory so they never land in its
 * upper layer; anonymous volumes seeded with the image's content at their path; the working
 * directory made when the image lacks it.
 */
public final class Bundles {
    private Bundles() {}

    /** Writes the generated files and volumes into {@code dir} and returns the spec with their mounts. */
    public static RuntimeSpec prepare(RuntimeSpec spec, ImageConfig image, RunOptions options, Path dir, Path rootfs)
            throws IOException {
        List<RuntimeSpec.Mount> mounts = new ArrayList<>(spec.mounts());
        String hostname = spec.hostname() == null ? "localhost" : spec.hostname();
        generated(mounts, dir, "hostname", "/etc/hostname", hostname + "\n", options);
        String hosts = options.hostNetwork() && Files.isRegularFile(Path.of("/etc/hosts")) ? Files.readString(Path.of("/etc/hosts"))
                : "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + hostname + "\n";
        generated(mounts, dir, "hosts", "/etc/hosts", hosts, options);
        if (options.hostNetwork() && Files.isRegularFile(Path.of("/etc/resolv.conf"))) {
            generated(mounts, dir, "resolv.conf", "/etc/resolv.conf", Files.readString(Path.of("/etc/resolv.conf")), options);
        }
        for (String volume : RuntimeSpecs.anonymousVolumes(image, options)) {
            Path target = RuntimeSpecs.volumeSource(options.volumes(), volume);
            Files.createDirectories(target);
            Path seed = RootPaths.resolve(rootfs, volume);
            if (Files.isDirectory(seed)) copyTree(seed, target);
        }
        Path cwd = RootPaths.resolve(rootfs, spec.process().cwd());
        if (!Files.exists(cwd, LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(cwd);
        return spec.withMounts(mounts);
    }

    private static void generated(List<RuntimeSpec.Mount> mounts, Path dir, String file, String destination, String content,
                                  RunOptions options) throws IOException {
        if (options.binds().stream().anyMatch(b -> Path.of(b.destination()).normalize().toString().equals(destination))) return;
        Path source = dir.resolve(file);
        Files.writeString(source, content);
        mounts.add(new RuntimeSpec.Mount(destination, "bind", source.toString(), List.of("rbind", "rprivate")));
    }

    /** Copies a directory of the image into a new volume, keeping modes, owners and times (Docker's copy-up). */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                try {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isDirectory(target)) throw e;
                }
                PosixFileAttributes source = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS);
                view.setOwner(source.owner());
                view.setGroup(source.group());
                if (!source.isSymbolicLink()) view.setPermissions(source.permissions());
            }
        }
    }
}
