package dev.vireo.registry.storage;

import dev.vireo.oci.Digest;
import dev.vireo.registry.ErrorCode;
import dev.vireo.registry.RegistryException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Upload sessions: {@code uploads/ID/data} grows with each chunk, {@code uploads/ID/repository}
 * names the repository it belongs to. The running SHA-256 of the data is kept in memory, so
 * closing an upload need not read it again; after a restart it is recomputed from the file.
 * Content becomes a blob only after its digest is verified ({@link #finish}).
 */
public final class Uploads {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final int BUFFER = 1024 * 1024;
    private final Storage storage;
    private final Path uploads;
    private final Map<String, Hashing> hashing = new ConcurrentHashMap<>();

    /** The running hash of one session's data; the lock serialises its chunks. */
    private static final class Hashing {
        final ReentrantLock lock = new ReentrantLock();
        MessageDigest sha256 = Digest.newHasher("sha256");
        long hashed;
    }

    public Uploads(Storage storage) throws IOException {
        this.storage = storage;
        this.uploads = Files.createDirectories(storage.root().resolve("uploads"));
    }

    public Path directory() {
        return uploads;
    }

    /** An open session of a repository. */
    public record Session(String id, String repository, Path data) {}

    public Session start(String repository) throws IOException {
        String id = UUID.randomUUID().toString();
        Path directory = Files.createDirectories(uploads.resolve(id));
        Files.writeString(directory.resolve("repository"), repository, StandardCharsets.UTF_8);
        Path data = Files.createFile(directory.resolve("data"));
        return new Session(id, repository, data);
    }

    /** The session {@code id} of {@code repository}; an unknown one (or another repository's) is BLOB_UPLOAD_UNKNOWN. */
    public Session open(String repository, String id) throws IOException {
        RegistryException unknown = new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + id + " is unknown to this registry");
        if (!ID.matcher(id).matches()) throw unknown;
        Path directory = uploads.resolve(id);
        try {
            String owner = Files.readString(directory.resolve("repository"), StandardCharsets.UTF_8);
            if (!owner.equals(repository) || !Files.exists(directory.resolve("data"))) throw unknown;
        } catch (NoSuchFileException e) {
            throw unknown;
        }
        return new Session(id, repository, directory.resolve("data"));
    }

    public long size(Session session) throws IOException {
        try {
            return Files.size(session.data());
        } catch (NoSuchFileException e) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + session.id() + " is unknown to this registry");
        }
    }

    /**
     * Appends a chunk. With {@code start >= 0} (a Content-Range) it must continue exactly where
     * the data ends, else 416; with {@code length >= 0} the chunk must have that many bytes.
     * Returns the new size. A chunk refused for its size is cut off again; one whose connection
     * broke keeps what arrived, and the upload's status tells the client where to resume.
     */
    public long append(Session session, InputStream body, long start, long length) throws IOException {
        Hashing state = hashing.computeIfAbsent(session.id(), k -> new Hashing());
        if (!state.lock.tryLock()) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416, "another chunk of upload " + session.id() + " is being written", null);
        }
        try (FileChannel channel = FileChannel.open(session.data(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (start >= 0 && start != size) {
                throw new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, 416,
                        "chunk starts at " + start + " but the upload holds " + size + " bytes", new RangeDetail(size));
            }
            if (state.hashed != size) rehash(state, channel, size);
            channel.position(size);
            byte[] buffer = new byte[BUFFER];
            long written = 0;
            try {
                while (true) {
                    int want = length >= 0 ? (int) Math.min(buffer.length, length - written) : buffer.length;
                    if (want == 0 && length >= 0) {
                        if (body.read() >= 0) throw new RegistryException(ErrorCode.SIZE_INVALID, "chunk longer than its Content-Range");
                        break;
                    }
                    int n = body.readNBytes(buffer, 0, want);
                    if (n == 0) break;
                    ByteBuffer wrapped = ByteBuffer.wrap(buffer, 0, n);
                    while (wrapped.hasRemaining()) channel.write(wrapped);
                    state.sha256.update(buffer, 0, n);
                    written += n;
                    if (n < want) break;
                }
                if (length >= 0 && written != length) {
                    throw new RegistryException(ErrorCode.SIZE_INVALID, "chunk of " + written + " bytes, Content-Range says " + length);
                }
            } catch (RuntimeException e) {
                channel.truncate(size);
                state.hashed = -1;
                throw e;
            } catch (IOException e) {
                // The connection broke: what arrived is right where it is, so it stays for the client to resume after.
                channel.truncate(size + written);
                state.hashed = size + written;
                throw e;
            }
            state.hashed = size + written;
            return size + written;
        } catch (NoSuchFileException e) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + session.id() + " is unknown to this registry");
        } finally {
            state.lock.unlock();
        }
    }

    /** Where a chunk that did not continue the data should have started. */
    public record RangeDetail(long size) {}

    private static void rehash(Hashing state, FileChannel channel, long size) throws IOException {
        state.sha256 = Digest.newHasher("sha256");
        Digest.hash(state.sha256, channel, size);
        state.hashed = size;
    }

    /**
     * Verifies the session's content against {@code expected} and makes it a blob of the
     * repository. A mismatch discards the upload: nothing is stored.
     */
    public void finish(Session session, Digest expected) throws IOException {
        Hashing state = hashing.computeIfAbsent(session.id(), k -> new Hashing());
        state.lock.lock();
        try (FileChannel channel = FileChannel.open(session.data(), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            Digest actual;
            if (expected.algorithm().equals("sha256")) {
                if (state.hashed != size) rehash(state, channel, size);
                actual = Digest.of("sha256", state.sha256.digest());
            } else {
                actual = hashFile(channel, size, expected.algorithm());
            }
            if (!actual.equals(expected)) {
                cancel(session);
                throw new RegistryException(ErrorCode.DIGEST_INVALID, 400,
                        "content digest " + actual + " does not match " + expected, null);
            }
            channel.force(true);
        } catch (NoSuchFileException e) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + session.id() + " is unknown to this registry");
        } finally {
            state.lock.unlock();
        }
        storage.commitBlob(session.data(), expected);
        storage.link(session.repository(), expected);
        cancel(session);
    }

    private static Digest hashFile(FileChannel channel, long size, String algorithm) throws IOException {
        MessageDigest hasher = Digest.newHasher(algorithm);
        Digest.hash(hasher, channel, size);
        return Digest.of(algorithm, hasher.digest());
    }

    public void cancel(Session session) throws IOException {
        hashing.remove(session.id());
        deleteTree(uploads.resolve(session.id()));
    }

    /** Removes sessions untouched since {@code olderThanMillis}; returns how many. */
    public int removeStale(long olderThanMillis) throws IOException {
        int removed = 0;
        try (Stream<Path> sessions = Files.list(uploads)) {
            for (Path directory : sessions.toList()) {
                Path data = directory.resolve("data");
                long touched = Files.exists(data) ? Files.getLastModifiedTime(data).toMillis() : Files.getLastModifiedTime(directory).toMillis();
                if (touched < olderThanMillis) {
                    hashing.remove(directory.getFileName().toString());
                    deleteTree(directory);
                    removed++;
                }
            }
        }
        return removed;
    }

    static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) return;
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(path);
        } catch (NoSuchFileException e) {
            // removed concurrently
        }
    }
}
