package dev.vireo.image.store;

import dev.vireo.image.Progress;
import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Content-addressed blobs under {@code blobs/<algorithm>/<encoded>}, the OCI image-layout
 * arrangement. A blob is written to {@code tmp/}, hashed while written, synced, checked against
 * the digest it should have and only then renamed into place: a visible blob is always
 * complete and correct, also after a crash or kill -9 in the middle of a write.
 */
public final class BlobStore {
    private static final int BUFFER = 1 << 16;

    private final Path blobs;
    private final Path tmp;

    public BlobStore(Path blobs, Path tmp) {
        this.blobs = blobs;
        this.tmp = tmp;
    }

    public Path path(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.encoded());
    }

    public boolean has(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    /** The size of a stored blob, or -1 when it is absent. */
    public long size(Digest digest) {
        try {
            return Files.size(path(digest));
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The digest and size of a blob just written. */
    public record Written(Digest digest, long size) {}

    /**
     * Copies {@code in} into the store. When {@code expected} is given the content must hash to
     * it, and when {@code expectedSize} is not -1 it must have that many bytes; otherwise nothing
     * is stored and a {@link BadContentException} says why.
     */
    public Written put(InputStream in, Digest expected, long expectedSize, String label, Progress progress) throws IOException {
        if (expected != null && expectedSize >= 0 && has(expected) && size(expected) == expectedSize) {
            in.transferTo(OutputStream.nullOutputStream());
            progress.update(label, "exists", expectedSize, expectedSize);
            return new Written(expected, expectedSize);
        }
        MessageDigest hasher = expected == null ? Digest.newSha256() : expected.newHasher();
        Path temp = tmp.resolve("blob-" + UUID.randomUUID());
        long written = 0;
        try {
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                byte[] buffer = new byte[BUFFER];
                long lastReport = 0;
                for (int n; (n = in.read(buffer)) > 0; ) {
                    hasher.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    written += n;
                    if (expectedSize >= 0 && written > expectedSize) {
                        throw new BadContentException(label + ": more than the declared " + expectedSize + " bytes");
                    }
                    if (written - lastReport >= (4 << 20)) {
                        progress.update(label, "writing", written, expectedSize);
                        lastReport = written;
                    }
                }
            }
            try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Digest actual = new Digest(expected == null ? "sha256" : expected.algorithm(),
                    java.util.HexFormat.of().formatHex(hasher.digest()));
            if (expected != null && !expected.equals(actual)) {
                throw new BadContentException(label + ": digest mismatch: expected " + expected + ", content is " + actual);
            }
            if (expectedSize >= 0 && written != expectedSize) {
                throw new BadContentException(label + ": size mismatch: expected " + expectedSize + " bytes, got " + written);
            }
            Path target = path(actual);
            Files.createDirectories(target.getParent());
            if (!has(actual)) AtomicFiles.move(temp, target);
            progress.update(label, "stored", written, written);
            return new Written(actual, written);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** A fresh temporary file name in the store's {@code tmp/}, for content hashed while it is written. */
    public Path newTemp() {
        return tmp.resolve("blob-" + UUID.randomUUID());
    }

    /** Syncs a temporary file whose digest the caller computed and renames it into place. */
    public Written adopt(Path temp, Digest digest) throws IOException {
        try {
            try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            long size = Files.size(temp);
            Path target = path(digest);
            Files.createDirectories(target.getParent());
            if (!has(digest)) AtomicFiles.move(temp, target);
            return new Written(digest, size);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    public Written put(byte[] content, Digest expected) throws IOException {
        return put(new java.io.ByteArrayInputStream(content), expected, content.length, "blob", Progress.NONE);
    }

    public InputStream open(Digest digest) throws IOException {
        try {
            return Files.newInputStream(path(digest));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException("blob " + digest + " is not in the store");
        }
    }

    /** Reads a small blob (a manifest or config) whole, refusing one larger than {@code limit}. */
    public byte[] read(Digest digest, long limit) throws IOException {
        long size = size(digest);
        if (size < 0) throw new NoSuchFileException("blob " + digest + " is not in the store");
        if (size > limit) throw new BadContentException("blob " + digest + " is " + size + " bytes, more than " + limit);
        byte[] content = Files.readAllBytes(path(digest));
        // Blobs are verified on the way in; checking small ones again on the way out costs little.
        if (!new Digest(digest.algorithm(), java.util.HexFormat.of().formatHex(digest.newHasher().digest(content))).equals(digest)) {
            throw new BadContentException("blob " + digest + " is corrupt on disk");
        }
        return content;
    }

    /** Every stored blob's digest. */
    public List<Digest> list() throws IOException {
        List<Digest> all = new ArrayList<>();
        if (!Files.isDirectory(blobs)) return all;
        try (Stream<Path> algorithms = Files.list(blobs)) {
            for (Path algorithm : algorithms.toList()) {
                try (Stream<Path> files = Files.list(algorithm)) {
                    for (Path file : files.toList()) {
                        try {
                            all.add(new Digest(algorithm.getFileName().toString(), file.getFileName().toString()));
                        } catch (BadContentException e) {
                            // A stray file that is no blob: garbage collection removes it as unreferenced.
                            Files.deleteIfExists(file);
                        }
                    }
                }
            }
        }
        return all;
    }

    public boolean delete(Digest digest) throws IOException {
        return Files.deleteIfExists(path(digest));
    }

    /** Makes the directories a new store needs. */
    public void create() throws IOException {
        try {
            Files.createDirectories(blobs.resolve("sha256"));
            Files.createDirectories(tmp);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(e.getFile() + " exists and is not a directory", e);
        }
    }
}
