package dev.vireo.containers.state;

import dev.vireo.containers.BadInputException;
import dev.vireo.containers.Container;
import dev.vireo.containers.NoSuchContainerException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code <root>/containers/}: a directory per container named by its ID (64 hex digits, as
 * Docker's), holding {@code container.json} (replaced by rename, never rewritten in place),
 * its {@code config.json} bundle, log and generated files; {@code names/<name>} is a symbolic
 * link to the ID, so that claiming a name is one atomic {@code symlink(2)}; {@code runtime/}
 * is the OCI runtime's state directory.
 */
public final class ContainerStore {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
    private static final String RECORD = "container.json";

    private final Path dir;
    private final Path names;

    public ContainerStore(Path storeRoot) {
        this.dir = storeRoot.toAbsolutePath().normalize().resolve("containers");
        this.names = dir.resolve("names");
    }

    public Path directory() {
        return dir;
    }

    /** The OCI runtime's state directory for these containers. */
    public Path runtimeRoot() {
        return dir.resolve("runtime");
    }

    public Path dir(String id) {
        return dir.resolve(id);
    }

    /** A new container ID whose short form is not all digits (so it never reads as a number), not yet used. */
    public String newId() {
        SecureRandom random = new SecureRandom();
        byte[] bytes = new byte[32];
        while (true) {
            random.nextBytes(bytes);
            String id = HexFormat.of().formatHex(bytes);
            if (id.substring(0, 12).chars().allMatch(Character::isDigit)) continue;
            if (!Files.exists(dir(id))) return id;
        }
    }

    /**
     * Makes the container's directory and record, then claims its name; a taken name is
     * refused and the directory goes again. The record comes first, so a name link whose
     * container has no record is one a crash left behind, free to take.
     */
    public void create(Container c) throws IOException {
        checkName(c.name());
        Files.createDirectories(names);
        Files.createDirectory(dir(c.id()));
        try {
            save(c);
            claimName(c.name(), c.id());
        } catch (IOException | RuntimeException e) {
            deleteTree(dir(c.id()));
            throw e;
        }
    }

    public static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new BadInputException("invalid container name '" + name + "': letters, digits, '_', '.' and '-', "
                    + "starting with a letter or digit");
        }
        if (ID.matcher(name).matches()) throw new BadInputException("invalid container name '" + name + "': it reads as an ID");
    }

    private void claimName(String name, String id) throws IOException {
        Path link = names.resolve(name);
        for (int attempt = 0; ; attempt++) {
            try {
                Files.createSymbolicLink(link, Path.of(id));
                return;
            } catch (FileAlreadyExistsException e) {
                String owner = owner(link);
                if (owner != null && Files.exists(dir(owner).resolve(RECORD)) || attempt > 0) {
                    throw new BadInputException("the container name '" + name + "' is already in use by container "
                            + (owner == null ? "?" : owner.substring(0, Math.min(12, owner.length())))
                            + ": remove that container or choose another name");
                }
                // A link left by a removal that died half way names no container: take it over.
                Files.deleteIfExists(link);
            }
        }
    }

    private static String owner(Path link) throws IOException {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    public void releaseName(String name, String id) throws IOException {
        Path link = names.resolve(name);
        if (id.equals(owner(link))) Files.deleteIfExists(link);
    }

    /** Writes the record by temporary file and rename, so a reader sees the old one or the new one. */
    public void save(Container c) throws IOException {
        Path target = dir(c.id()).resolve(RECORD);
        Path tmp = dir(c.id()).resolve(RECORD + ".tmp-" + ProcessHandle.current().pid());
        Files.write(tmp, ContainerJson.write(c));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The record of {@code id}, or null when there is none (never made, or removed). */
    public Container load(String id) throws IOException {
        Path file = dir(id).resolve(RECORD);
        try {
            return ContainerJson.read(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Every container, oldest first. */
    public List<Container> list() throws IOException {
        List<Container> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) return all;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String id = p.getFileName().toString();
                if (!ID.matcher(id).matches()) continue;
                Container c = load(id);
                if (c != null) all.add(c);
            }
        }
        all.sort((a, b) -> a.created().compareTo(b.created()));
        return all;
    }

    /** A container by name, full ID, or unique ID prefix (Docker's order). */
    public Container find(String reference) throws IOException {
        if (reference.isEmpty()) throw new NoSuchContainerException("''");
        if (NAME.matcher(reference).matches() && Files.isDirectory(names)) {
            String owner = owner(names.resolve(reference));
            Container c = owner == null || !ID.matcher(owner).matches() ? null : load(owner);
            if (c != null && c.name().equals(reference)) return c;
        }
        if (ID.matcher(reference).matches()) {
            Container c = load(reference);
            if (c != null) return c;
        }
        if (reference.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 && !Character.isUpperCase(ch))) {
            Container match = null;
            for (Container c : list()) {
                if (!c.id().startsWith(reference)) continue;
                if (match != null) throw new BadInputException("container ID prefix '" + reference + "' is ambiguous");
                match = c;
            }
            if (match != null) return match;
        }
        throw new NoSuchContainerException(reference);
    }

    /** Holds the container's lock (fcntl, released by the kernel if the process dies) until closed. */
    public Lock lock(String id) throws IOException {
        FileChannel ch = FileChannel.open(dir(id).resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock held = ch.lock();
            return () -> {
                try (ch) {
                    held.release();
                } catch (IOException e) {
                    // Closing the channel releases the lock in any case.
                }
            };
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** A held container lock. */
    public interface Lock extends AutoCloseable {
        @Override
        void close();
    }

    /** Deletes the directory, the record last: a removal that dies part way can be run again. */
    public void delete(Container c) throws IOException {
        Path home = dir(c.id());
        releaseName(c.name(), c.id());
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(home)) {
            for (Path p : entries) {
                if (!p.getFileName().toString().equals(RECORD)) deleteTree(p);
            }
        } catch (NoSuchFileException e) {
            return;
        }
        Files.deleteIfExists(home.resolve(RECORD));
        Files.deleteIfExists(home);
    }

    static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                for (Path child : entries) deleteTree(child);
            }
        }
        Files.deleteIfExists(p);
    }
}
