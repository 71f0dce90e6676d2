package dev.vireo.runtime.state;

import dev.vireo.runtime.ConfigException;
import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.spec.ConfigLoader;
import dev.vireo.runtime.spec.Json;
import dev.vireo.runtime.spec.Spec;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.SysException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The state directory ({@code --root}, /run/vireo by default): one directory per container
 * holding {@code state.json}, the config it was created from, and the exec FIFO while it waits
 * for {@code start}. Making the directory claims the ID; every change is written to a temporary
 * file and renamed, and operations on one container are serialised by a lock that works
 * across processes (flock on the container's directory) and across threads of this one.
 */
public final class StateStore {
    /** runc's rule for container IDs. */
    private static final Pattern ID = Pattern.compile("[\\w+.-]+");

    private final Path root;
    private final ConcurrentHashMap<String, ReentrantLock> threadLocks = new ConcurrentHashMap<>();

    public StateStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    public static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw new ConfigException("container ID \"" + id + "\" must be letters, digits, '_', '+', '-' and '.'");
        }
    }

    /** Claims {@code id}; fails if a container has it. */
    public void claim(String id) {
        checkId(id);
        try {
            Files.createDirectories(root);
            Files.createDirectory(dir(id));
        } catch (FileAlreadyExistsException e) {
            throw new ContainerException("container " + id + " already exists");
        } catch (IOException e) {
            throw new ContainerException("cannot create the state of " + id + " in " + root + ": " + e.getMessage());
        }
    }

    public boolean exists(String id) {
        return Files.isRegularFile(dir(id).resolve("state.json"));
    }

    public ContainerRecord load(String id) {
        checkId(id);
        try {
            return Json.read(Files.readAllBytes(dir(id).resolve("state.json")), ContainerRecord.class, "state.json of " + id);
        } catch (IOException e) {
            if (!Files.exists(dir(id))) throw new ContainerException("container " + id + " does not exist");
            throw new ContainerException("the state of container " + id + " is unreadable: " + e.getMessage());
        }
    }

    public Spec config(String id) {
        try {
            return ConfigLoader.parse(Files.readAllBytes(dir(id).resolve("config.json")));
        } catch (IOException e) {
            throw new ContainerException("the config of container " + id + " is unreadable: " + e.getMessage());
        }
    }

    public void save(ContainerRecord record) {
        write(dir(record.id()).resolve("state.json"), Json.compact(record));
    }

    public void saveConfig(String id, byte[] config) {
        write(dir(id).resolve("config.json"), config);
    }

    private static void write(Path file, byte[] bytes) {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ContainerException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Removes the container's directory and everything in it. */
    public void remove(String id) {
        Path dir = dir(id);
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new ContainerException("cannot remove the state of " + id + ": " + e.getMessage());
        }
    }

    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) return ids;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path d : dirs) if (Files.isDirectory(d) && ID.matcher(d.getFileName().toString()).matches()) ids.add(d.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ids.sort(null);
        return ids;
    }

    /** A held lock on one container; closing releases it. */
    public interface Lock extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for exclusive use of container {@code id}, which must exist (be claimed). */
    public Lock lock(String id) {
        checkId(id);
        ReentrantLock threadLock = threadLocks.computeIfAbsent(id, k -> new ReentrantLock());
        threadLock.lock();
        try {
            // The directory itself carries the lock: no file to make, and none to remove.
            Fd dir = FileIo.open(dir(id).toString(), FileIo.O_RDONLY | FileIo.O_DIRECTORY);
            try {
                FileIo.flock(dir, FileIo.LOCK_EX);
            } catch (RuntimeException e) {
                dir.close();
                throw e;
            }
            return () -> {
                try {
                    dir.close();
                } finally {
                    threadLock.unlock();
                }
            };
        } catch (SysException e) {
            threadLock.unlock();
            if (e.is(Errno.ENOENT) || e.is(Errno.ENOTDIR)) throw new ContainerException("container " + id + " does not exist");
            throw new ContainerException("cannot lock container " + id + ": " + e.getMessage());
        } catch (RuntimeException e) {
            threadLock.unlock();
            throw e;
        }
    }

    /** The exec FIFO is gone once {@code start} has read it: the container is running. */
    public void removeFifo(String id) {
        try {
            Files.deleteIfExists(dir(id).resolve("exec.fifo"));
        } catch (IOException e) {
            throw new ContainerException("cannot remove the exec FIFO of " + id + ": " + e.getMessage());
        }
    }

    /** Writes a PID file (runc's --pid-file) by rename, so that a reader never sees half of it. */
    public static void writePidFile(Path file, int pid) {
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(temp, Integer.toString(pid));
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ContainerException("cannot write the PID file " + file + ": " + e.getMessage());
        }
    }
}
