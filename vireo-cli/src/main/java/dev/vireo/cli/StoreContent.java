package dev.vireo.cli;

import dev.vireo.image.ImageStore;
import dev.vireo.image.Progress;
import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.oci.ImageRef;
import dev.vireo.registry.LocalContent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The local image store as the local side of {@code vireo push} and {@code vireo pull}: the
 * registry client's {@link LocalContent} over {@link ImageStore}. Partial downloads wait in
 * {@code <root>/partial/}, outside the store, whose garbage collection would take them for
 * leftovers; a finished download is verified by the client, then the store verifies it again as
 * it adds it. The caller holds a store lease for the whole transfer, so a prune between a blob
 * and the manifest naming it cannot remove the blob.
 */
final class StoreContent implements LocalContent {
    private final ImageStore store;

    StoreContent(ImageStore store) {
        this.store = store;
    }

    private static dev.vireo.oci.Descriptor local(Descriptor descriptor) {
        return new dev.vireo.oci.Descriptor(descriptor.mediaType(), descriptor.digest(), descriptor.size());
    }

    @Override
    public long size(Digest digest) {
        return store.blobSize(digest);
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        return store.openBlob(digest);
    }

    @Override
    public byte[] read(Digest digest) throws IOException {
        return store.readBlob(digest);
    }

    @Override
    public Path partial(Digest digest) throws IOException {
        return Files.createDirectories(store.directory().resolveSibling("partial")).resolve(digest.algorithm() + "-" + digest.encoded());
    }

    @Override
    public void add(Descriptor descriptor, Path verifiedFile) throws IOException {
        try (InputStream in = Files.newInputStream(verifiedFile)) {
            store.putBlob(descriptor.mediaType(), in, descriptor.digest(), descriptor.size(), Progress.NONE);
        }
        Files.delete(verifiedFile);
    }

    @Override
    public void addManifest(Descriptor descriptor, byte[] content) throws IOException {
        store.putManifest(content, descriptor.mediaType());
    }

    /** A store name ({@code busybox}, {@code busybox:1.36}, {@code localhost:5000/app:v1}), else an image ID or digest. */
    @Override
    public Optional<Descriptor> lookup(String name) throws IOException {
        Optional<dev.vireo.oci.Descriptor> found;
        try {
            found = store.lookup(ImageRef.parse(name));
        } catch (BadContentException e) {
            found = Optional.empty();
        }
        if (found.isEmpty()) {
            try {
                found = Optional.of(store.resolve(name).descriptor());
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        return found.map(d -> new Descriptor(d.mediaType(), d.digest(), d.size()));
    }

    @Override
    public void tag(String name, Descriptor manifest) {
        store.tag(ImageRef.parse(name), local(manifest));
    }
}
