package dev.vireo.image.store;

import dev.vireo.image.ImageIndex;
import dev.vireo.image.Json;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.oci.ImageRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The store's images and their names, kept as an OCI image layout's {@code index.json}: one
 * descriptor per name (annotation {@code org.opencontainers.image.ref.name} holding the full
 * reference), and one without a name for each image that has none (a dangling image, shown
 * as {@code <none>}). Every change is a read-modify-write under an exclusive lock and lands
 * with an atomic rename, so readers need no lock.
 */
public final class NameIndex {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    public static final String CREATED = "org.opencontainers.image.created";

    private final Path file;
    private final StoreLock lock;

    public NameIndex(Path file, Path lockFile) {
        this.file = file;
        this.lock = StoreLock.of(lockFile);
    }

    /** One image in the store: its name (null for a dangling image), its manifest or index, when it was added. */
    public record Entry(ImageRef name, Descriptor target, Instant created) {
        Descriptor toDescriptor() {
            Map<String, String> annotations = new HashMap<>(target.annotations());
            annotations.remove(REF_NAME);
            if (name != null) annotations.put(REF_NAME, name.toString());
            annotations.put(CREATED, created.toString());
            return target.withAnnotations(annotations);
        }

        static Entry of(Descriptor d) {
            String ref = d.annotations().get(REF_NAME);
            String created = d.annotations().get(CREATED);
            Map<String, String> annotations = new HashMap<>(d.annotations());
            annotations.remove(REF_NAME);
            annotations.remove(CREATED);
            return new Entry(ref == null ? null : ImageRef.parse(ref), d.withAnnotations(annotations),
                    created == null ? Instant.EPOCH : Instant.parse(created));
        }
    }

    public List<Entry> entries() {
        try {
            if (!Files.exists(file)) return List.of();
            ImageIndex index = Json.read(Files.readAllBytes(file), ImageIndex.class, "store index " + file);
            return index.manifests().stream().map(Entry::of).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Optional<Entry> lookup(ImageRef name) {
        return entries().stream().filter(e -> name.equals(e.name())).findFirst();
    }

    /**
     * Names {@code target} (or records it unnamed when {@code name} is null). An image that
     * loses its last name stays in the store as a dangling image, as Docker keeps it.
     */
    public void put(ImageRef name, Descriptor target) {
        update(entries -> {
            List<Entry> next = new ArrayList<>();
            Digest displaced = null;
            for (Entry e : entries) {
                if (name != null && name.equals(e.name())) {
                    displaced = e.target().digest();
                } else if (!(e.name() == null && e.target().digest().equals(target.digest()))) {
                    next.add(e);
                }
            }
            boolean known = next.stream().anyMatch(e -> e.target().digest().equals(target.digest()));
            if (name != null || !known) next.add(new Entry(name, target, Instant.now()));
            keepDangling(entries, next, displaced);
            return next;
        });
    }

    /** Removes one name; returns the image it named. */
    public Optional<Descriptor> remove(ImageRef name) {
        Descriptor[] removed = new Descriptor[1];
        update(entries -> {
            List<Entry> next = new ArrayList<>();
            for (Entry e : entries) {
                if (name.equals(e.name())) removed[0] = e.target();
                else next.add(e);
            }
            return next;
        });
        return Optional.ofNullable(removed[0]);
    }

    /** Removes every entry of an image, named or not; returns the names it had. */
    public List<ImageRef> removeImage(Digest target) {
        List<ImageRef> names = new ArrayList<>();
        update(entries -> {
            List<Entry> next = new ArrayList<>();
            for (Entry e : entries) {
                if (e.target().digest().equals(target)) {
                    if (e.name() != null) names.add(e.name());
                } else {
                    next.add(e);
                }
            }
            return next;
        });
        return names;
    }

    private static void keepDangling(List<Entry> before, List<Entry> after, Digest displaced) {
        if (displaced == null || after.stream().anyMatch(e -> e.target().digest().equals(displaced))) return;
        before.stream().filter(e -> e.target().digest().equals(displaced)).findFirst()
                .ifPresent(e -> after.add(new Entry(null, e.target(), e.created())));
    }

    private void update(UnaryOperator<List<Entry>> change) {
        try (StoreLock.Held held = lock.exclusive()) {
            List<Entry> next = change.apply(entries());
            ImageIndex index = ImageIndex.oci(next.stream().map(Entry::toDescriptor).toList());
            AtomicFiles.write(file, Json.write(index));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
