package dev.vireo.image.layer;

import dev.vireo.image.tar.TarEntry;
import dev.vireo.image.tar.TarWriter;
import dev.vireo.sys.FileMetadata;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes a directory as a layer tar, reproducibly: entries in byte order of their names,
 * numeric owners, whole-second mtimes, hard links found by inode. For a container's upper
 * directory ({@code overlay} true) overlayfs's whiteouts turn back into OCI ones: a character
 * device 0/0 becomes an empty {@code .wh.NAME}, a directory with {@code trusted.overlay.opaque=y}
 * is followed by {@code .wh..wh..opq}; overlayfs's own xattrs are never written.
 */
public final class LayerWriter {
    private static final int S_IFMT = 0170000;

    private final TarWriter tar;
    private final boolean overlay;
    private final Map<String, String> firstNameOfInode = new HashMap<>();
    private long entries;

    private LayerWriter(OutputStream out, boolean overlay) {
        this.tar = new TarWriter(out);
        this.overlay = overlay;
    }

    /** Writes the tree under {@code root} (not the root itself) to {@code out}; returns the number of entries. */
    public static long write(Path root, OutputStream out, boolean overlay) throws IOException {
        LayerWriter writer = new LayerWriter(out, overlay);
        writer.walk(root, "");
        writer.tar.finish();
        return writer.entries;
    }

    private void walk(Path dir, String prefix) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.sorted((a, b) -> Arrays.compare(bytes(a), bytes(b))).toList();
        }
        for (Path child : children) {
            String name = prefix + child.getFileName();
            Map<String, Object> st = Files.readAttributes(child, "unix:*", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) st.get("mode");
            int type = mode & S_IFMT;
            long rdev = (Long) st.get("rdev");
            if (overlay && type == FileMetadata.S_IFCHR && rdev == 0) {
                emit(new TarEntry(prefix + LayerUnpacker.WHITEOUT_PREFIX + child.getFileName(), TarEntry.Type.FILE,
                        0600, uid(st), gid(st), 0, mtime(st), "", 0, 0, Map.of()), null);
                continue;
            }
            Map<String, byte[]> xattrs = xattrs(child);
            boolean opaque = overlay && type == FileMetadata.S_IFDIR
                    && Arrays.equals(FileMetadata.getXattr(child.toString(), LayerUnpacker.OPAQUE_XATTR), new byte[] {'y'});
            switch (type) {
                case FileMetadata.S_IFDIR -> {
                    emit(entry(name, TarEntry.Type.DIRECTORY, mode, st, 0, "", 0, xattrs), null);
                    if (opaque) {
                        emit(new TarEntry(name + "/" + LayerUnpacker.OPAQUE, TarEntry.Type.FILE, 0600, uid(st), gid(st),
                                0, mtime(st), "", 0, 0, Map.of()), null);
                    }
                    walk(child, name + "/");
                }
                case FileMetadata.S_IFREG -> {
                    int nlink = (Integer) st.get("nlink");
                    String inode = st.get("dev") + ":" + st.get("ino");
                    String first = nlink > 1 ? firstNameOfInode.putIfAbsent(inode, name) : null;
                    if (first != null) {
                        emit(entry(name, TarEntry.Type.HARDLINK, mode, st, 0, first, 0, xattrs), null);
                    } else {
                        long size = (Long) st.get("size");
                        try (InputStream in = Files.newInputStream(child, LinkOption.NOFOLLOW_LINKS)) {
                            emit(entry(name, TarEntry.Type.FILE, mode, st, size, "", 0, xattrs), in);
                        }
                    }
                }
                case FileMetadata.S_IFLNK -> emit(entry(name, TarEntry.Type.SYMLINK, mode, st, 0,
                        Files.readSymbolicLink(child).toString(), 0, xattrs), null);
                case FileMetadata.S_IFCHR -> emit(entry(name, TarEntry.Type.CHAR, mode, st, 0, "", rdev, xattrs), null);
                case FileMetadata.S_IFBLK -> emit(entry(name, TarEntry.Type.BLOCK, mode, st, 0, "", rdev, xattrs), null);
                case FileMetadata.S_IFIFO -> emit(entry(name, TarEntry.Type.FIFO, mode, st, 0, "", 0, xattrs), null);
                default -> { } // Sockets cannot be archived; Docker skips them too.
            }
        }
    }

    private void emit(TarEntry entry, InputStream content) throws IOException {
        tar.write(entry, content);
        entries++;
    }

    private static TarEntry entry(String name, TarEntry.Type type, int mode, Map<String, Object> st, long size,
                                  String link, long rdev, Map<String, byte[]> xattrs) {
        return new TarEntry(name, type, mode & 07777, uid(st), gid(st), size, mtime(st), link,
                FileMetadata.major(rdev), FileMetadata.minor(rdev), xattrs);
    }

    /** Extended attributes worth carrying: not overlayfs's bookkeeping, not the host's SELinux label. */
    private static Map<String, byte[]> xattrs(Path path) {
        Map<String, byte[]> result = new TreeMap<>();
        for (String name : FileMetadata.listXattrs(path.toString())) {
            if (name.startsWith("trusted.overlay.") || name.startsWith("user.overlay.") || name.equals("security.selinux")) {
                continue;
            }
            byte[] value = FileMetadata.getXattr(path.toString(), name);
            if (value != null) result.put(name, value);
        }
        return result;
    }

    private static long uid(Map<String, Object> st) {
        return Integer.toUnsignedLong((Integer) st.get("uid"));
    }

    private static long gid(Map<String, Object> st) {
        return Integer.toUnsignedLong((Integer) st.get("gid"));
    }

    private static Instant mtime(Map<String, Object> st) {
        return Instant.ofEpochSecond(((FileTime) st.get("lastModifiedTime")).toInstant().getEpochSecond());
    }

    private static byte[] bytes(Path p) {
        return p.getFileName().toString().getBytes(StandardCharsets.UTF_8);
    }
}
