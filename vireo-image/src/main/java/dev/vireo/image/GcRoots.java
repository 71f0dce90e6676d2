package dev.vireo.image;

import dev.vireo.image.store.AtomicFiles;
import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Descriptor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Garbage-collection roots that are not image names: one owner's keys, each keeping one
 * manifest (and everything it reaches) in the store. The build cache keeps its steps' images
 * this way, so they survive {@link ImageStore#prune()} without showing as images or dangling
 * names. Each root is a file {@code roots/<owner>/<key>} holding the manifest's descriptor,
 * written by rename only once the manifest is in the store: a root never names content that
 * is incomplete. Removing a root lets the next prune collect what only it kept.
 */
public final class GcRoots {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");

    private final ImageStore store;
    private final Path dir;

    GcRoots(ImageStore store, Path dir) {
        this.store = store;
        this.dir = dir;
    }

    /** Checks an owner's or key's name: letters, digits, '_', '.', '-', at most 128. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new BadContentException("invalid GC root name '" + name + "' (letters, digits, '_', '.', '-'; at most 128)");
        }
        return name;
    }

    /** The manifest {@code key} keeps, if the root exists. */
    public Optional<Descriptor> get(String key) {
        Path file = dir.resolve(checkName(key));
        try {
            return Optional.of(Json.read(Files.readAllBytes(file), Descriptor.class, "GC root " + file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Makes (or moves) the root {@code key} to keep {@code target}, a manifest or index the store has. */
    public void put(String key, Descriptor target) {
        checkName(key);
        if (!store.hasBlob(target.digest())) throw new BadContentException("the store has no manifest " + target.digest());
        try (ImageStore.Lease _ = store.lease()) {
            Files.createDirectories(dir);
            AtomicFiles.write(dir.resolve(key), Json.write(target));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write GC root " + dir.resolve(key), e);
        }
    }

    public boolean remove(String key) {
        try {
            return Files.deleteIfExists(dir.resolve(checkName(key)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove GC root " + dir.resolve(key), e);
        }
    }

    /** Every key of this owner (temporary files of an interrupted write are not keys). */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        if (!Files.isDirectory(dir)) return keys;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (NAME.matcher(name).matches()) keys.add(name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        keys.sort(null);
        return keys;
    }

    /** Removes every root of this owner; returns how many there were. */
    public int clear() {
        List<String> keys = keys();
        keys.forEach(this::remove);
        return keys.size();
    }
}
