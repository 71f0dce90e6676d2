package dev.vireo.image;

import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Platform;

import dev.vireo.oci.BadContentException;

import dev.vireo.oci.ImageRef;

import dev.vireo.image.archive.ArchiveReader;
import dev.vireo.image.archive.ArchiveWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Images in and out of the store as files: {@code vireo image load}, {@code save} and
 * {@code import-rootfs}. Loading is all or nothing per image: blobs are verified as they
 * arrive, layers are unpacked (checking each DiffID against the config and every entry's path)
 * before any name is given.
 */
public final class ImageArchives {
    /** The default search path an image without its own gets, as Docker's images carry it. */
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private ImageArchives() {}

    public enum Format { OCI, DOCKER }

    /** An image loaded: the image (for this platform; null when the archive has none for it) and its names. */
    public record Loaded(Descriptor target, Image image, List<ImageRef> names) {}

    /** Loads a tar stream (plain, gzip or zstd) of an OCI layout or a docker-save archive. */
    public static List<Loaded> load(ImageStore store, InputStream archive, ImageRef rename, Progress progress) throws IOException {
        try (ImageStore.Lease _ = store.lease()) {
            return finish(store, ArchiveReader.read(store, archive, progress), rename, progress);
        }
    }

    /** Loads an OCI image layout directory (or an unpacked docker-save archive). */
    public static List<Loaded> load(ImageStore store, Path directory, ImageRef rename, Progress progress) throws IOException {
        try (ImageStore.Lease _ = store.lease()) {
            return finish(store, ArchiveReader.read(store, directory, progress), rename, progress);
        }
    }

    private static List<Loaded> finish(ImageStore store, List<ArchiveReader.Found> found, ImageRef rename, Progress progress)
            throws IOException {
        if (rename != null && found.size() != 1) {
            throw new BadContentException("the archive holds " + found.size() + " images; a name can be given to exactly one");
        }
        List<Loaded> loaded = new ArrayList<>();
        for (ArchiveReader.Found f : found) {
            Image image = platformImage(store, f.target());
            if (image != null) store.unpack(image, progress);
            loaded.add(new Loaded(f.target(), image, rename != null ? List.of(rename) : f.names()));
        }
        // Names last: only an image whose every layer was accepted gets one.
        for (Loaded l : loaded) {
            if (l.names().isEmpty()) store.record(l.target());
            for (ImageRef name : l.names()) store.tag(name, l.target());
        }
        return loaded;
    }

    /** The image for this host, or null for an index that has no manifest for it. */
    private static Image platformImage(ImageStore store, Descriptor target) throws IOException {
        if (store.manifest(target) instanceof ImageIndex index) {
            var chosen = index.forPlatform(Platform.host());
            if (chosen.isEmpty() || !store.hasBlob(chosen.get().digest())) return null;
        }
        return store.image(target);
    }

    /** Writes images (by name, ID or digest) as one archive. */
    public static void save(ImageStore store, List<String> references, OutputStream out, Format format, Progress progress)
            throws IOException {
        List<ArchiveWriter.Named> images = new ArrayList<>();
        for (String reference : references) {
            Image image = store.resolve(reference);
            List<ImageRef> names = new ArrayList<>();
            try {
                ImageRef ref = ImageRef.parse(reference);
                if (ref.digest() == null && store.lookup(ref).isPresent()) names.add(ref);
            } catch (BadContentException e) {
                // Saved by ID: the archive names it after every name the image has.
                for (StoredImage s : store.list()) {
                    if (s.name() != null && store.image(s.target()).id().equals(image.id())) names.add(s.name());
                }
            }
            images.add(new ArchiveWriter.Named(image, names));
        }
        switch (format) {
            case OCI -> ArchiveWriter.writeOci(store, images, out, progress);
            case DOCKER -> ArchiveWriter.writeDocker(store, images, out, store.directory().resolve("tmp"), progress);
        }
    }

    /**
     * Makes a single-layer image of a root filesystem, a directory or a tar (plain, gzip or
     * zstd), with {@code cmd} and {@code env} (PATH by default) in its config, and names it.
     */
    public static Image importRootfs(ImageStore store, Path source, ImageRef name, List<String> cmd, List<String> env,
                                     Progress progress) throws IOException {
        try (ImageStore.Lease _ = store.lease()) {
            Layer layer;
            if (Files.isDirectory(source)) {
                layer = store.commitLayer(null, source, false, progress);
            } else {
                try (InputStream in = Files.newInputStream(source)) {
                    layer = store.addLayer(null, in, progress);
                }
            }
            String created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            List<String> environment = env.stream().anyMatch(e -> e.startsWith("PATH=")) ? env
                    : java.util.stream.Stream.concat(java.util.stream.Stream.of(DEFAULT_PATH), env.stream()).toList();
            ImageConfig config = ImageConfig.scratch()
                    .withContainer(ImageConfig.Container.empty().withEnv(environment).withCmd(cmd.isEmpty() ? null : cmd), null)
                    .withLayer(layer.diffId(), new ImageConfig.History(created, "vireo image import-rootfs " + source.getFileName(),
                            null, null, null))
                    .withCreated(created);
            Image image = store.commit(config, List.of(layer));
            store.tag(name, image.descriptor());
            return image;
        }
    }
}
