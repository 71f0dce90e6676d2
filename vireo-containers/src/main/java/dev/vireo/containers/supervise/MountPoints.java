package dev.vireo.containers.supervise;

import dev.vireo.containers.RuntimeSpec;
import dev.vireo.containers.spec.RootPaths;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The mount points the runtime has to make in a container's root filesystem (an image without
 * {@code /etc/hosts}, {@code /proc} or a {@code -v} target has none of them): recorded before the
 * container starts, in {@code mountpoints}, and taken out of its upper directory when it has
 * stopped, if still empty, so that {@code commit} does not carry them into the image. Docker keeps
 * them in a separate "init" layer instead.
 */
public final class MountPoints {
    private static final String FILE = "mountpoints";

    private MountPoints() {}

    /** Records every mount destination (and missing parent) that {@code rootfs} does not have yet. */
    public static void record(RuntimeSpec spec, Path rootfs, Path dir) throws IOException {
        Set<String> missing = new LinkedHashSet<>();
        for (RuntimeSpec.Mount m : spec.mounts()) {
            String path = "";
            for (String part : m.destination().split("/")) {
                if (part.isEmpty()) continue;
                path = path + "/" + part;
                if (missing.contains(path) || !Files.exists(RootPaths.resolve(rootfs, path), LinkOption.NOFOLLOW_LINKS)) {
                    missing.add(path);
                }
            }
        }
        Files.write(dir.resolve(FILE), missing);
    }

    /** After the container stopped: removes the recorded mount points still empty from {@code upper}, deepest first. */
    public static void removeFrom(Path upper, Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) return;
        List<String> paths = new ArrayList<>(Files.readAllLines(file));
        paths.sort((a, b) -> b.length() - a.length());
        for (String path : paths) {
            Path p = upper.resolve(path.substring(1));
            if (!insideWithoutLinks(upper, p)) continue;
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) == 0 || isEmptyDirectory(p)) {
                Files.delete(p);
            }
        }
        Files.delete(file);
    }

    /** Whether every directory from {@code upper} down to {@code p}'s parent is a real directory, no link. */
    private static boolean insideWithoutLinks(Path upper, Path p) {
        for (Path d = p.getParent(); d != null && d.startsWith(upper) && !d.equals(upper); d = d.getParent()) {
            if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) return false;
        }
        return true;
    }

    private static boolean isEmptyDirectory(Path p) throws IOException {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
            return !entries.iterator().hasNext();
        }
    }
}
