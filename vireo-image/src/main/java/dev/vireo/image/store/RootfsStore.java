package dev.vireo.image.store;

import dev.vireo.image.Json;
import dev.vireo.image.Rootfs;
import dev.vireo.image.overlay.OverlayMount;
import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Digest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Container root filesystems: {@code rootfs/<id>/} holds {@code rootfs.json} (the image and the
 * ChainIDs of its layers, so garbage collection keeps them while the container exists), and
 * the container's {@code upper}, {@code work} and {@code merged} directories. The record is
 * written before anything is mounted, and removed last.
 */
public final class RootfsStore {
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");

    private final Path dir;
    private final Path empty;
    private final Snapshots snapshots;

    public RootfsStore(Path dir, Path empty, Snapshots snapshots) {
        this.dir = dir;
        this.empty = empty;
        this.snapshots = snapshots;
    }

    /** What {@code rootfs.json} holds. */
    public record Record(String id, Digest image,
                         List<Digest> chainIds) {
        public Record {
            chainIds = chainIds == null ? List.of() : List.copyOf(chainIds);
        }
    }

    public void create() throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(empty);
    }

    static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new BadContentException("invalid container id '" + id + "' (letters, digits, '_', '.', '-'; at most 128)");
        }
    }

    /** Records, makes the directories and mounts a new root filesystem; the snapshots must exist. */
    public Rootfs prepare(String id, Digest image, List<Digest> chainIds) throws IOException {
        checkId(id);
        Path home = dir.resolve(id);
        if (Files.exists(home)) throw new BadContentException("a root filesystem for '" + id + "' exists already");
        Files.createDirectory(home);
        try {
            AtomicFiles.write(home.resolve("rootfs.json"), Json.write(new Record(id, image, chainIds)));
            Files.createDirectory(home.resolve("upper"));
            Files.createDirectory(home.resolve("work"));
            Files.createDirectory(home.resolve("merged"));
            return mount(id);
        } catch (IOException | RuntimeException e) {
            OverlayMount.unmount(home.resolve("merged"));
            AtomicFiles.deleteTree(home);
            throw e;
        }
    }

    /** Mounts an existing root filesystem again (after an unmount or a reboot). */
    public Rootfs mount(String id) throws IOException {
        Rootfs rootfs = describe(id);
        OverlayMount.mount(rootfs.lowers(), rootfs.upper(), rootfs.work(), rootfs.merged());
        return rootfs;
    }

    public Rootfs describe(String id) throws IOException {
        Record record = record(id).orElseThrow(() -> new BadContentException("no root filesystem for '" + id + "'"));
        List<Path> lowers = new ArrayList<>();
        for (Digest chain : record.chainIds().reversed()) {
            if (!snapshots.has(chain)) throw new IOException("layer snapshot " + chain + " of '" + id + "' is missing");
            lowers.add(snapshots.link(chain));
        }
        if (lowers.isEmpty()) lowers.add(empty);
        Path home = dir.resolve(id);
        return new Rootfs(id, home.resolve("merged"), home.resolve("upper"), home.resolve("work"), lowers, record.image());
    }

    public void unmount(String id) {
        checkId(id);
        OverlayMount.unmount(dir.resolve(id).resolve("merged"));
    }

    /** Unmounts and deletes a root filesystem with its upper layer; the record goes last. */
    public boolean remove(String id) throws IOException {
        checkId(id);
        Path home = dir.resolve(id);
        if (!Files.exists(home)) return false;
        OverlayMount.unmount(home.resolve("merged"));
        for (String part : List.of("merged", "upper", "work")) AtomicFiles.deleteTree(home.resolve(part));
        AtomicFiles.deleteTree(home);
        return true;
    }

    /** Deletes directories a crash left without a record (made, never recorded); only under the exclusive lock. */
    public void removeIncomplete() throws IOException {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path home : entries.toList()) {
                if (!Files.exists(home.resolve("rootfs.json"))) {
                    OverlayMount.unmount(home.resolve("merged"));
                    AtomicFiles.deleteTree(home);
                }
            }
        }
    }

    public Optional<Record> record(String id) throws IOException {
        checkId(id);
        Path file = dir.resolve(id).resolve("rootfs.json");
        if (!Files.exists(file)) return Optional.empty();
        return Optional.of(Json.read(Files.readAllBytes(file), Record.class, "root filesystem record " + file));
    }

    /** Every root filesystem's ID, also one a killed command made and never recorded. */
    public List<String> ids() throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(home -> home.getFileName().toString()).filter(id -> ID.matcher(id).matches()).sorted().toList();
        }
    }

    public List<Record> records() throws IOException {
        List<Record> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) return all;
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path home : entries.sorted().toList()) {
                String id = home.getFileName().toString();
                if (ID.matcher(id).matches()) record(id).ifPresent(all::add);
            }
        }
        return all;
    }
}
