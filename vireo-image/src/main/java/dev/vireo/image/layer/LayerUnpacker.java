package dev.vireo.image.layer;

import dev.vireo.image.Progress;
import dev.vireo.image.store.AtomicFiles;
import dev.vireo.image.tar.TarEntry;
import dev.vireo.image.tar.TarReader;
import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Digest;
import dev.vireo.sys.FileMetadata;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Applies one layer tar to an empty snapshot directory the way overlayfs wants to see it as a
 * lower layer: OCI whiteouts {@code .wh.NAME} become character devices 0/0, an opaque marker
 * {@code .wh..wh..opq} becomes the xattr {@code trusted.overlay.opaque=y} on its directory.
 * Owners, modes (setuid and sticky bits included), nanosecond mtimes, symbolic and hard links,
 * device nodes, FIFOs and {@code SCHILY.xattr} attributes are kept. Entries that would land
 * outside the root are refused (see {@link EntryPaths}); the caller unpacks into a temporary
 * directory and drops it on failure, so nothing of a refused layer stays.
 */
public final class LayerUnpacker {
    public static final String WHITEOUT_PREFIX = ".wh.";
    public static final String OPAQUE = ".wh..wh..opq";
    public static final String OPAQUE_XATTR = "trusted.overlay.opaque";

    private LayerUnpacker() {}

    /** The DiffID of the tar read (the sha256 of every uncompressed byte) and what it held. */
    public record Result(Digest diffId, long entries, long bytes) {}

    public static Result unpack(InputStream uncompressed, Path root, String label, Progress progress) throws IOException {
        return apply(uncompressed, root, label, progress, true);
    }

    /**
     * Extracts a tar that is not a layer (ADD of a local archive): the same checks and metadata,
     * but names starting with {@code .wh.} are plain files, as {@code tar -x} leaves them.
     */
    public static Result extract(InputStream uncompressed, Path root, String label, Progress progress) throws IOException {
        return apply(uncompressed, root, label, progress, false);
    }

    private static Result apply(InputStream uncompressed, Path root, String label, Progress progress, boolean layer)
            throws IOException {
        MessageDigest hasher = Digest.newSha256();
        CountingInput counted = new CountingInput(new DigestInputStream(uncompressed, hasher));
        EntryPaths paths = new EntryPaths(root);
        List<Deferred> directoryTimes = new ArrayList<>();
        long entries = 0;
        TarReader tar = new TarReader(counted);
        long lastReport = 0;
        for (TarEntry entry; (entry = tar.next()) != null; ) {
            apply(entry, tar, paths, directoryTimes, layer);
            entries++;
            if (counted.count - lastReport >= (8 << 20)) {
                progress.update(label, "unpacking", counted.count, -1);
                lastReport = counted.count;
            }
        }
        // The DiffID covers the whole stream, end-of-archive blocks and any trailing padding too.
        counted.transferTo(OutputStream.nullOutputStream());
        // Deepest first: setting a directory's time must come after its last child was created.
        directoryTimes.sort(Comparator.comparingInt((Deferred d) -> d.path.getNameCount()).reversed());
        for (Deferred d : directoryTimes) setTimes(d.path, d.entry);
        progress.update(label, "unpacked", counted.count, counted.count);
        return new Result(Digest.ofSha256(hasher.digest()), entries, counted.count);
    }

    private record Deferred(Path path, TarEntry entry) {}

    private static void apply(TarEntry entry, TarReader tar, EntryPaths paths, List<Deferred> directoryTimes, boolean layer)
            throws IOException {
        List<String> parts = EntryPaths.components(entry.name());
        String base = parts.isEmpty() ? "" : parts.getLast();
        if (layer && base.startsWith(WHITEOUT_PREFIX)) {
            whiteout(entry, parts, base, paths);
            return;
        }
        Path path = paths.resolve(entry.name(), parts);
        if (parts.isEmpty() && entry.type() != TarEntry.Type.DIRECTORY) {
            throw new BadContentException("layer entry '" + entry.name() + "' names the root but is not a directory");
        }
        BasicFileAttributes existing = EntryPaths.attributes(path);
        if (existing != null && !(existing.isDirectory() && entry.type() == TarEntry.Type.DIRECTORY)) {
            // The spec's rule: unless both are directories, the new entry replaces what was there.
            if (existing.isDirectory()) AtomicFiles.deleteTree(path);
            else Files.delete(path);
        }
        String p = path.toString();
        switch (entry.type()) {
            case DIRECTORY -> {
                if (existing == null || !existing.isDirectory()) Files.createDirectory(path);
            }
            case FILE -> {
                try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    long copied = tar.content().transferTo(out);
                    if (copied != entry.size()) throw new BadContentException("layer entry '" + entry.name() + "' is truncated");
                }
            }
            case SYMLINK -> {
                if (entry.linkName().isEmpty()) throw new BadContentException("symbolic link '" + entry.name() + "' has no target");
                Files.createSymbolicLink(path, Path.of(entry.linkName()));
            }
            case HARDLINK -> {
                Path target = paths.linkTarget(entry.name(), entry.linkName());
                Files.createLink(path, target);
                return;
            }
            case CHAR -> FileMetadata.mknod(p, FileMetadata.S_IFCHR | entry.mode(), FileMetadata.makedev(entry.devMajor(), entry.devMinor()));
            case BLOCK -> FileMetadata.mknod(p, FileMetadata.S_IFBLK | entry.mode(), FileMetadata.makedev(entry.devMajor(), entry.devMinor()));
            case FIFO -> FileMetadata.mknod(p, FileMetadata.S_IFIFO | entry.mode(), 0);
        }
        // chown clears setuid bits and file capabilities, so it comes first, then the mode, then xattrs.
        FileMetadata.lchown(p, (int) entry.uid(), (int) entry.gid());
        if (entry.type() != TarEntry.Type.SYMLINK) FileMetadata.chmod(p, entry.mode());
        for (var xattr : entry.xattrs().entrySet()) {
            // A layer must not steer overlayfs itself (opaque dirs, redirects): only its own whiteouts do that.
            if (xattr.getKey().startsWith("trusted.overlay.")) continue;
            FileMetadata.setXattr(p, xattr.getKey(), xattr.getValue(), 0);
        }
        if (entry.type() == TarEntry.Type.DIRECTORY) directoryTimes.add(new Deferred(path, entry));
        else setTimes(path, entry);
    }

    private static void whiteout(TarEntry entry, List<String> parts, String base, EntryPaths paths) throws IOException {
        if (base.equals(OPAQUE)) {
            Path dir = paths.resolve(entry.name(), parts).getParent();
            FileMetadata.setXattr(dir.toString(), OPAQUE_XATTR, new byte[] {'y'}, 0);
            return;
        }
        if (base.startsWith(WHITEOUT_PREFIX + WHITEOUT_PREFIX)) return; // AUFS bookkeeping (.wh..wh.plnk etc.)
        String hidden = base.substring(WHITEOUT_PREFIX.length());
        if (hidden.isEmpty()) throw new BadContentException("layer entry '" + entry.name() + "' is a whiteout of nothing");
        List<String> target = new ArrayList<>(parts);
        target.set(target.size() - 1, hidden);
        Path path = paths.resolve(entry.name(), target);
        // A whiteout hides lower layers only; an entry of this same layer at that path stays.
        if (EntryPaths.attributes(path) != null) return;
        FileMetadata.mknod(path.toString(), FileMetadata.S_IFCHR, 0);
        FileMetadata.lchown(path.toString(), (int) entry.uid(), (int) entry.gid());
    }

    private static void setTimes(Path path, TarEntry entry) {
        long seconds = entry.mtime().getEpochSecond();
        int nanos = entry.mtime().getNano();
        FileMetadata.setTimes(path.toString(), seconds, nanos, seconds, nanos);
    }

    private static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipping would bypass the hash: read through instead.
            byte[] buffer = new byte[(int) Math.min(n, 1 << 16)];
            int r = read(buffer, 0, buffer.length);
            return Math.max(r, 0);
        }
    }
}
