package dev.vireo.image;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.ImageRef;

import dev.vireo.oci.BadContentException;

import dev.vireo.oci.Digest;

import dev.vireo.image.store.AtomicFiles;
import dev.vireo.image.store.BlobStore;
import dev.vireo.image.store.NameIndex;
import dev.vireo.image.store.RootfsStore;
import dev.vireo.image.store.Snapshots;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Mark and sweep over the store. Roots are the names in {@code index.json} (and unnamed images,
 * unless pruned), the container root filesystems and the {@link GcRoots}; from a root, an index reaches its
 * manifests, a manifest its config and layer blobs, a config the ChainIDs of its snapshots.
 * Everything else, and everything in {@code tmp/}, goes. Runs under the exclusive store lock.
 */
final class GarbageCollector {
    private final ImageStore store;
    private final BlobStore blobs;
    private final NameIndex names;
    private final Snapshots snapshots;
    private final RootfsStore rootfs;
    private final Path roots;
    private final Path tmp;

    GarbageCollector(ImageStore store, BlobStore blobs, NameIndex names, Snapshots snapshots, RootfsStore rootfs,
                     Path roots, Path tmp) {
        this.store = store;
        this.blobs = blobs;
        this.names = names;
        this.snapshots = snapshots;
        this.rootfs = rootfs;
        this.roots = roots;
        this.tmp = tmp;
    }

    PruneReport collect(boolean removeDangling) throws IOException {
        Set<Digest> inUse = imagesInUse();
        List<Digest> removedImages = new ArrayList<>();
        if (removeDangling) {
            for (StoredImage entry : store.list()) {
                if (entry.name() == null && !inUse.contains(idOf(entry.target()))) {
                    names.removeImage(entry.target().digest());
                    removedImages.add(entry.target().digest());
                }
            }
        }
        Set<Digest> liveBlobs = new HashSet<>();
        Set<Digest> liveChains = new HashSet<>();
        for (StoredImage entry : store.list()) mark(entry.target().digest(), liveBlobs, liveChains);
        for (RootfsStore.Record record : rootfs.records()) {
            liveChains.addAll(record.chainIds());
            if (record.image() != null) mark(record.image(), liveBlobs, liveChains);
        }
        markRoots(liveBlobs, liveChains);
        long bytes = 0;
        List<Digest> removedBlobs = new ArrayList<>();
        for (Digest digest : blobs.list()) {
            if (liveBlobs.contains(digest)) continue;
            long size = blobs.size(digest);
            if (blobs.delete(digest)) {
                removedBlobs.add(digest);
                bytes += Math.max(0, size);
            }
        }
        List<Digest> removedSnapshots = new ArrayList<>();
        for (Digest chain : snapshots.list()) {
            if (liveChains.contains(chain)) continue;
            bytes += snapshots.delete(chain);
            removedSnapshots.add(chain);
        }
        snapshots.removeDanglingLinks();
        rootfs.removeIncomplete();
        int temporaries = 0;
        try (Stream<Path> leftovers = Files.list(tmp)) {
            for (Path p : leftovers.toList()) {
                AtomicFiles.deleteTree(p);
                temporaries++;
            }
        }
        return new PruneReport(removedImages, removedBlobs, removedSnapshots, temporaries, bytes);
    }

    /** Marks what every GC root keeps; removes temporary files an interrupted root write left. */
    private void markRoots(Set<Digest> liveBlobs, Set<Digest> liveChains) throws IOException {
        if (!Files.isDirectory(roots)) return;
        try (Stream<Path> owners = Files.list(roots)) {
            for (Path owner : owners.toList()) {
                if (!Files.isDirectory(owner)) continue;
                GcRoots keys = new GcRoots(store, owner);
                for (String key : keys.keys()) {
                    try {
                        Optional<Descriptor> target = keys.get(key);
                        if (target.isPresent()) mark(target.get().digest(), liveBlobs, liveChains);
                    } catch (BadContentException e) {
                        // A root that does not parse keeps nothing.
                    }
                }
                try (Stream<Path> files = Files.list(owner)) {
                    for (Path file : files.toList()) {
                        if (file.getFileName().toString().startsWith(".")) Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    /** Marks a manifest or index and everything it reaches; a blob that does not parse is kept, not followed. */
    private void mark(Digest digest, Set<Digest> liveBlobs, Set<Digest> liveChains) throws IOException {
        if (!liveBlobs.add(digest) || !blobs.has(digest)) return;
        ManifestDocument document;
        try {
            document = ManifestDocument.parse(blobs.read(digest, ImageStore.MAX_DOCUMENT), null);
        } catch (BadContentException e) {
            return;
        }
        switch (document) {
            case ImageIndex index -> {
                for (Descriptor child : index.manifests()) mark(child.digest(), liveBlobs, liveChains);
            }
            case Manifest manifest -> {
                liveBlobs.add(manifest.config().digest());
                for (Descriptor layer : manifest.layers()) liveBlobs.add(layer.digest());
                if (blobs.has(manifest.config().digest())) {
                    try {
                        ImageConfig config = Json.read(blobs.read(manifest.config().digest(), ImageStore.MAX_DOCUMENT),
                                ImageConfig.class, "image config");
                        liveChains.addAll(Layer.chainIds(config.diffIds()));
                    } catch (BadContentException e) {
                        // Not an image config (an artifact): it has no snapshots to keep.
                    }
                }
            }
        }
    }

    /** {@code vireo rmi}; see {@link ImageStore#remove}. */
    List<String> remove(String reference, boolean force) throws IOException {
        List<String> lines = new ArrayList<>();
        Optional<ImageRef> name = asStoredName(reference);
        Image image = name.isPresent() ? store.image(store.lookup(name.get()).orElseThrow()) : store.resolve(reference);
        List<StoredImage> sameImage = new ArrayList<>();
        for (StoredImage entry : store.list()) {
            if (idOf(entry.target()).equals(image.id())) sameImage.add(entry);
        }
        boolean last = name.isEmpty() || sameImage.size() <= 1;
        if (last && !force && imagesInUse().contains(image.id())) {
            throw new ImageInUseException(reference, image.id().shortId());
        }
        if (name.isPresent() && !last) {
            names.remove(name.get());
            lines.add("Untagged: " + name.get().familiar());
            return lines;
        }
        for (StoredImage entry : sameImage) {
            if (entry.name() != null) lines.add("Untagged: " + entry.name().familiar());
            names.removeImage(entry.target().digest());
        }
        lines.add("Deleted: " + image.id());
        store.collectIfIdle();
        return lines;
    }

    private Optional<ImageRef> asStoredName(String reference) {
        try {
            ImageRef ref = ImageRef.parse(reference);
            return ref.digest() == null && names.lookup(ref).isPresent() ? Optional.of(ref) : Optional.empty();
        } catch (BadContentException e) {
            return Optional.empty();
        }
    }

    private Set<Digest> imagesInUse() throws IOException {
        Set<Digest> ids = new HashSet<>();
        for (RootfsStore.Record record : rootfs.records()) {
            if (record.image() != null && blobs.has(record.image())) ids.add(idOf(new Descriptor(null, record.image(),
                    blobs.size(record.image()))));
        }
        return ids;
    }

    /** The image ID behind a manifest or index, or its own digest when it cannot be read as an image. */
    private Digest idOf(Descriptor target) throws IOException {
        try {
            return store.image(target).id();
        } catch (BadContentException | NoSuchImageException e) {
            return target.digest();
        }
    }
}
