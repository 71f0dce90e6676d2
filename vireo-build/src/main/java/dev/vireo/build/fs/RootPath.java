package dev.vireo.build.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Paths inside a root directory (an image's root filesystem, a build context) resolved the way
 * the kernel would resolve them if {@code root} were {@code /}: symbolic links are followed
 * component by component, an absolute link target starts again at the root, and {@code ..}
 * stops at the root. So a link to {@code /etc} in an image means the image's /etc, never the
 * host's. Nothing else changes the tree while a build step resolves paths in it.
 */
public final class RootPath {
    private static final int MAX_LINKS = 40;

    private RootPath() {}

    /**
     * The host path of {@code path} (absolute or relative to the root) inside {@code root}. With
     * {@code followLast} a link in the last component is followed too. Missing components are
     * fine: the result is where they would be created.
     */
    public static Path resolve(Path root, String path, boolean followLast) throws IOException {
        List<String> current = new ArrayList<>();
        Deque<String> pending = new ArrayDeque<>(components(path));
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.pollFirst();
            if (part.equals("..")) {
                if (!current.isEmpty()) current.removeLast();
                continue;
            }
            Path candidate = join(root, current).resolve(part);
            if (pending.isEmpty() && !followLast || !Files.isSymbolicLink(candidate)) {
                current.add(part);
                continue;
            }
            if (++links > MAX_LINKS) throw new IOException(path + ": too many levels of symbolic links");
            String target = Files.readSymbolicLink(candidate).toString();
            if (target.startsWith("/")) current.clear();
            List<String> expanded = components(target);
            for (int i = expanded.size() - 1; i >= 0; i--) pending.addFirst(expanded.get(i));
        }
        return join(root, current);
    }

    /** Like {@link #resolve} with the last link followed, failing when nothing is there. */
    public static Path existing(Path root, String path) throws IOException {
        Path resolved = resolve(root, path, true);
        if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) throw new NoSuchFileException(path);
        return resolved;
    }

    /** The path's components without empty and "." ones ({@code ..} kept: its meaning depends on links). */
    static List<String> components(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) if (!p.isEmpty() && !p.equals(".")) parts.add(p);
        return parts;
    }

    private static Path join(Path root, List<String> parts) {
        Path p = root;
        for (String part : parts) p = p.resolve(part);
        return p;
    }
}
