package dev.vireo.containers.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Paths inside a container's root filesystem seen from the host, with symbolic links resolved
 * as the container would resolve them: an absolute target starts again at the container's
 * root, and {@code ..} never climbs above it. An image whose {@code /etc/passwd} links to
 * {@code /etc/shadow} or {@code ../../../../etc/passwd} thus reads its own file, never the host's.
 */
public final class RootPaths {
    private static final int MAX_LINKS = 40;

    private RootPaths() {}

    /** The host path of {@code path} (absolute, in the container) under {@code root}. */
    public static Path resolve(Path root, String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>(components(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.equals("..")) {
                if (!done.isEmpty()) done.removeLast();
                continue;
            }
            Path candidate = join(root, done).resolve(c);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) throw new IOException("too many symbolic links resolving " + path + " in the container");
                String target = Files.readSymbolicLink(candidate).toString();
                if (target.startsWith("/")) done.clear();
                List<String> parts = components(target);
                for (int i = parts.size() - 1; i >= 0; i--) todo.addFirst(parts.get(i));
            } else {
                done.add(c);
            }
        }
        return join(root, done);
    }

    private static List<String> components(String path) {
        List<String> parts = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty() && !c.equals(".")) parts.add(c);
        }
        return parts;
    }

    private static Path join(Path root, List<String> parts) {
        Path p = root;
        for (String c : parts) p = p.resolve(c);
        return p;
    }
}
