package dev.vireo.build.exec;

import dev.vireo.image.ImageStore;
import dev.vireo.runtime.ContainerRuntime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * One build's footprint outside the image store, under {@code <root>/build}: a lock held for
 * the whole build ({@code sessions/<id>.lock}), the bundles of its RUN containers
 * ({@code bundles/}), the runtime's state of those containers ({@code runtime/}), and its
 * scratch files ({@code tmp/<id>/}). Its root filesystems in the store are named
 * {@code build-<id>-<n>}. A build killed with SIGKILL leaves these behind with an unlocked lock
 * file; the next build finds them by that, stops any container still running, and removes them.
 */
final class Session implements AutoCloseable {
    private static final String PREFIX = "build-";

    private final ImageStore store;
    private final Path work;
    private final String id;
    private final Consumer<String> warnings;
    private final FileChannel lockFile;
    private final FileLock lock;
    private int counter;
    private ContainerRuntime runtime;

    private Session(ImageStore store, Path work, String id, Consumer<String> warnings, FileChannel lockFile, FileLock lock) {
        this.store = store;
        this.work = work;
        this.id = id;
        this.warnings = warnings;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    static Session open(ImageStore store, Path work, Consumer<String> warnings) throws IOException {
        Path sessions = work.resolve("sessions");
        Files.createDirectories(sessions);
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        FileChannel channel = FileChannel.open(sessions.resolve(id + ".lock"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        FileLock lock = channel.lock();
        Session session = new Session(store, work, id, warnings, channel, lock);
        session.removeAbandoned();
        return session;
    }

    /** A new name for a root filesystem and the container that runs on it. */
    String newId() {
        return PREFIX + id + "-" + (++counter);
    }

    Path bundle(String containerId) {
        return work.resolve("bundles").resolve(containerId);
    }

    /** This build's scratch directory (ADD's downloads and archive extractions). */
    Path scratch() throws IOException {
        return Files.createDirectories(work.resolve("tmp").resolve(id));
    }

    ImageStore store() {
        return store;
    }

    /** The container runtime, opened on first use: a build served by the cache never needs it. */
    ContainerRuntime runtime() {
        if (runtime == null) runtime = ContainerRuntime.open(work.resolve("runtime"), warnings);
        return runtime;
    }

    /** Removes what builds that died left: sessions whose lock no process holds. */
    private void removeAbandoned() throws IOException {
        try (DirectoryStream<Path> locks = Files.newDirectoryStream(work.resolve("sessions"), "*.lock")) {
            for (Path file : locks) {
                String other = file.getFileName().toString().replace(".lock", "");
                if (other.equals(id)) continue;
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    FileLock held;
                    try {
                        held = channel.tryLock();
                    } catch (OverlappingFileLockException e) {
                        continue; // another build in this very process
                    }
                    if (held == null) continue; // a running build
                    removeSession(other);
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private void removeSession(String session) throws IOException {
        String prefix = PREFIX + session + "-";
        for (String rootfs : store.rootfsIds()) {
            if (!rootfs.startsWith(prefix)) continue;
            if (Files.isDirectory(work.resolve("runtime").resolve(rootfs))) {
                try {
                    runtime().delete(rootfs, true);
                } catch (RuntimeException e) {
                    warnings.accept("cannot remove the container " + rootfs + " of an interrupted build: " + e.getMessage());
                }
            }
            store.removeRootfs(rootfs);
        }
        deleteMatching(work.resolve("bundles"), prefix);
        deleteTree(work.resolve("tmp").resolve(session));
    }

    private static void deleteMatching(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, prefix + "*")) {
            for (Path p : entries) deleteTree(p);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            for (String rootfs : List.copyOf(store.rootfsIds())) {
                if (rootfs.startsWith(PREFIX + id + "-")) store.removeRootfs(rootfs);
            }
            deleteMatching(work.resolve("bundles"), PREFIX + id + "-");
            deleteTree(work.resolve("tmp").resolve(id));
        } finally {
            lock.release();
            lockFile.close();
            Files.deleteIfExists(work.resolve("sessions").resolve(id + ".lock"));
        }
    }
}
