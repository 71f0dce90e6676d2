package dev.vireo.image.layer;

import dev.vireo.oci.BadContentException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a tar entry may land. A name is refused when it is absolute or has a {@code ..}
 * component; a parent directory is walked one component at a time without following links,
 * and an entry whose parent is a symbolic link is refused, since writing through it could
 * leave the root. The root is a fresh directory nobody else writes to, so checking and then
 * creating is not racy.
 */
public final class EntryPaths {
    private final Path root;

    EntryPaths(Path root) {
        this.root = root;
    }

    /** The components of an entry name: {@code ./a//b/} is [a, b]; the root itself is []. */
    public static List<String> components(String name) {
        if (name.startsWith("/")) throw new BadContentException("layer entry '" + name + "' is an absolute path");
        if (name.indexOf('\0') >= 0) throw new BadContentException("layer entry name contains a NUL byte");
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) throw new BadContentException("layer entry '" + name + "' escapes the layer root with '..'");
            parts.add(part);
        }
        return parts;
    }

    /**
     * The path of an entry inside the root, with its parent directories made (mode 0755, as tar
     * does for parents it was not given) and checked to be real directories.
     */
    Path resolve(String name, List<String> parts) throws IOException {
        Path dir = root;
        for (int i = 0; i < parts.size() - 1; i++) {
            dir = dir.resolve(parts.get(i));
            BasicFileAttributes attrs = attributes(dir);
            if (attrs == null) {
                Files.createDirectory(dir);
            } else if (attrs.isSymbolicLink()) {
                throw new BadContentException("layer entry '" + name + "' goes through the symbolic link '"
                        + root.relativize(dir) + "'");
            } else if (!attrs.isDirectory()) {
                throw new BadContentException("layer entry '" + name + "' has a parent that is not a directory: '"
                        + root.relativize(dir) + "'");
            }
        }
        return parts.isEmpty() ? root : dir.resolve(parts.getLast());
    }

    /** The existing file a hard link points at, which must be in this layer and reached without links. */
    Path linkTarget(String name, String target) throws IOException {
        List<String> parts;
        try {
            parts = components(target);
        } catch (BadContentException e) {
            throw new BadContentException("hard link '" + name + "' points outside the layer: '" + target + "'");
        }
        if (parts.isEmpty()) throw new BadContentException("hard link '" + name + "' points at the layer root");
        Path path = root;
        for (int i = 0; i < parts.size(); i++) {
            path = path.resolve(parts.get(i));
            BasicFileAttributes attrs = attributes(path);
            boolean last = i == parts.size() - 1;
            if (attrs == null) {
                throw new BadContentException("hard link '" + name + "' points at '" + target + "', which is not in this layer");
            }
            if (!last && !attrs.isDirectory()) {
                throw new BadContentException("hard link '" + name + "' points through '" + root.relativize(path)
                        + "', which is not a directory");
            }
            if (last && attrs.isDirectory()) throw new BadContentException("hard link '" + name + "' points at a directory");
        }
        return path;
    }

    static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }
}
