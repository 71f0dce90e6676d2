package dev.vireo.build.fs;

import dev.vireo.build.context.SourceTree;
import dev.vireo.sys.FileMetadata;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies sources into a root filesystem the way COPY and ADD do: a directory's contents
 * merge into the destination, a file lands at the destination or inside it, and what is
 * already there gives way file by file (but a directory never replaces a file, nor a file a
 * directory, and a directory that exists keeps its owner and mode). Owners are the given owner, or the source's own when none is given; modes are
 * kept unless {@link Chmod} says otherwise; links stay links; hard links within one copy stay
 * linked; modification times are kept. Every destination path is resolved inside the root.
 */
public final class Copier {
    private final Path root;
    private final Owner owner;
    private final Chmod chmod;
    private final Map<String, Path> copiedInodes = new HashMap<>();
    private final List<Dir> directoryTimes = new ArrayList<>();

    private record Dir(Path path, long seconds, int nanos) {}

    /** Copies into {@code root}; {@code owner} null keeps the sources' owners; {@code chmod} null keeps modes. */
    public Copier(Path root, Owner owner, Chmod chmod) {
        this.root = root;
        this.owner = owner;
        this.chmod = chmod;
    }

    /**
     * Copies {@code source} of {@code tree} to {@code destination} (absolute, inside the root).
     * With {@code intoDirectory} (the destination ended in '/', or there are several sources) a
     * file goes inside the destination directory; so it does when the destination is a directory.
     */
    public void copy(SourceTree tree, String source, String destination, boolean intoDirectory) throws IOException {
        tree.walk(source, entry -> {
            if (entry.path().isEmpty()) {
                if (entry.isDirectory()) {
                    directory(destination);
                    return;
                }
                String target = destination;
                String name = entry.host().getFileName().toString();
                if (intoDirectory || Files.isDirectory(RootPath.resolve(root, destination, true))) target = join(destination, name);
                write(entry, target);
                return;
            }
            write(entry, join(destination, entry.path()));
        });
    }

    /** Writes a new file of {@code content} (a COPY here-document or an ADD download). */
    public void writeFile(String destination, byte[] content, int mode, long mtimeSeconds) throws IOException {
        Path host = place(destination, false);
        Files.write(host, content);
        Owner o = owner == null ? Owner.ROOT : owner;
        FileMetadata.lchown(host.toString(), o.uid(), o.gid());
        FileMetadata.chmod(host.toString(), chmod == null ? mode : chmod.apply(mode, false));
        if (mtimeSeconds >= 0) FileMetadata.setTimes(host.toString(), mtimeSeconds, 0, mtimeSeconds, 0);
    }

    /** Sets the kept modification times of the directories written, deepest first; call once at the end. */
    public void finish() {
        directoryTimes.sort(Comparator.comparingInt((Dir d) -> d.path().getNameCount()).reversed());
        for (Dir d : directoryTimes) FileMetadata.setTimes(d.path().toString(), d.seconds(), d.nanos(), d.seconds(), d.nanos());
        directoryTimes.clear();
    }

    /** Makes the directory {@code path} (and its parents) unless it exists; new ones are 0755 and the owner's. */
    public Path directory(String path) throws IOException {
        Path host = RootPath.resolve(root, path, true);
        if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) return host;
        if (Files.exists(host, LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(path + " exists and is not a directory");
        // Made where the path leads once its links are followed; the parents of that place are plain names.
        Path relative = root.relativize(host);
        if (relative.getNameCount() > 1) directory("/" + relative.getParent());
        Path created = host;
        Files.createDirectory(created);
        Owner o = owner == null ? Owner.ROOT : owner;
        FileMetadata.lchown(created.toString(), o.uid(), o.gid());
        FileMetadata.chmod(created.toString(), 0755);
        return created;
    }

    private void write(SourceTree.Entry entry, String target) throws IOException {
        Path host = place(target, entry.isDirectory());
        String h = host.toString();
        if (entry.isDirectory()) {
            // A directory that is there already keeps its owner and mode: the copy merges into it.
            if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) return;
            Files.createDirectory(host);
        } else if (entry.isFile()) {
            String inode = entry.device() + ":" + entry.inode();
            Path first = entry.links() > 1 ? copiedInodes.get(inode) : null;
            if (first != null) {
                Files.createLink(host, first);
                return;
            }
            Files.copy(entry.host(), host, LinkOption.NOFOLLOW_LINKS);
            if (entry.links() > 1) copiedInodes.put(inode, host);
        } else if (entry.isLink()) {
            Files.createSymbolicLink(host, Files.readSymbolicLink(entry.host()));
        } else if (entry.type() == FileMetadata.S_IFCHR || entry.type() == FileMetadata.S_IFBLK
                || entry.type() == FileMetadata.S_IFIFO) {
            FileMetadata.mknod(h, entry.type() | entry.permissions(), entry.rdev());
        } else {
            return; // sockets cannot be copied; Docker skips them too
        }
        Owner o = owner != null ? owner : new Owner(entry.uid(), entry.gid());
        // chown clears setuid bits and capabilities: owner first, then mode, then xattrs.
        FileMetadata.lchown(h, o.uid(), o.gid());
        if (!entry.isLink()) FileMetadata.chmod(h, chmod == null ? entry.permissions() : chmod.apply(entry.permissions(), entry.isDirectory()));
        copyXattrs(entry.host(), h);
        long seconds = entry.modified().toInstant().getEpochSecond();
        int nanos = entry.modified().toInstant().getNano();
        if (entry.isDirectory()) directoryTimes.add(new Dir(host, seconds, nanos));
        else FileMetadata.setTimes(h, seconds, nanos, seconds, nanos);
    }

    /**
     * The host path where {@code target} is written: its parent resolved (links followed inside
     * the root) and made; what is there already removed unless both are directories. A link to
     * a directory counts as that directory when a directory is copied onto it.
     */
    private Path place(String target, boolean directory) throws IOException {
        String parent = parent(target);
        Path dir = parent == null ? root : directory(parent);
        Path host = dir.resolve(name(target));
        if (!Files.exists(host, LinkOption.NOFOLLOW_LINKS)) return host;
        boolean existingDir = Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS);
        if (directory) {
            if (existingDir) return host;
            Path followed = RootPath.resolve(root, target, true);
            if (Files.isDirectory(followed, LinkOption.NOFOLLOW_LINKS)) return followed;
            throw new FileAlreadyExistsException("cannot copy a directory onto " + target + ", which is not a directory");
        }
        if (existingDir) throw new FileAlreadyExistsException("cannot copy a file onto the directory " + target);
        Files.delete(host);
        return host;
    }

    private static void copyXattrs(Path from, String to) {
        for (String name : FileMetadata.listXattrs(from.toString())) {
            // Overlayfs's own bookkeeping and the host's SELinux label are not the file's.
            if (name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.") || name.equals("security.selinux")) continue;
            byte[] value = FileMetadata.getXattr(from.toString(), name);
            if (value != null) FileMetadata.setXattr(to, name, value, 0);
        }
    }

    /** {@code dir/child}, with one slash between. */
    public static String join(String dir, String child) {
        return dir.endsWith("/") ? dir + child : dir + "/" + child;
    }

    private static String parent(String path) {
        String p = strip(path);
        int slash = p.lastIndexOf('/');
        return slash <= 0 ? null : p.substring(0, slash);
    }

    private static String name(String path) {
        String p = strip(path);
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private static String strip(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.startsWith("/") ? p : "/" + p;
    }
}
