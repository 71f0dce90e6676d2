package dev.vireo.build.cache;

import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.image.GcRoots;
import dev.vireo.image.Image;
import dev.vireo.image.ImageStore;
import dev.vireo.image.Layer;
import dev.vireo.image.NoSuchImageException;
import dev.vireo.image.Progress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/**
 * The build cache: each step's result, an image in the store, kept by a GC root
 * ({@code roots/build-cache/<key>}) under a key that hashes everything the result depends on:
 * the parent image's ID (its configuration, so its layers' DiffIDs and its history), the
 * instruction as evaluated (variables substituted, the build ARGs a RUN sees), and the digests of
 * the files a COPY or ADD reads. The same key later means the same result, so the step is not
 * run again; any change upstream changes the parent ID, so everything after it runs again.
 *
 * <p>A root is written only after its image is complete in the store, and a lookup checks the
 * manifest, the configuration and every layer blob again before using them: an interrupted
 * build never leaves a key that serves something half-written.
 */
public final class BuildCache {
    public static final String OWNER = "build-cache";
    private static final String VERSION = "vireo-build-cache/1";

    private final ImageStore store;
    private final GcRoots roots;

    public BuildCache(ImageStore store) {
        this.store = store;
        this.roots = store.roots(OWNER);
    }

    /** The key of a step: its parent image and a canonical text of everything else it depends on. */
    public static String key(Digest parent, String step) {
        String text = VERSION + "\n" + parent + "\n" + step;
        return Digest.sha256(text.getBytes(StandardCharsets.UTF_8)).encoded();
    }

    /** The image a step with this key made before, if it is still whole in the store. */
    public Optional<Image> lookup(String key) {
        Optional<Descriptor> target = roots.get(key);
        if (target.isEmpty()) return Optional.empty();
        try {
            Image image = store.image(target.get());
            for (Layer layer : image.layers()) {
                if (store.blobSize(layer.blob().digest()) != layer.blob().size()) return Optional.empty();
            }
            // Snapshots are derived from blobs: one a prune or a crash took is made again.
            store.unpack(image, Progress.NONE);
            return Optional.of(image);
        } catch (BadContentException | NoSuchImageException | NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the build cache entry " + key, e);
        }
    }

    public void record(String key, Image image) {
        roots.put(key, image.descriptor());
    }

    /** Forgets every entry ({@code vireo builder prune}); the store's garbage collection then frees the space. */
    public int clear() {
        return roots.clear();
    }
}
