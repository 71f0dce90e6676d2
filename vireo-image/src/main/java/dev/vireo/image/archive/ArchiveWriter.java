package dev.vireo.image.archive;

import dev.vireo.image.Image;
import dev.vireo.image.ImageIndex;
import dev.vireo.image.ImageStore;
import dev.vireo.image.Json;
import dev.vireo.image.Layer;
import dev.vireo.image.Progress;
import dev.vireo.image.layer.Compression;
import dev.vireo.image.tar.TarEntry;
import dev.vireo.image.tar.TarWriter;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.oci.ImageRef;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Writes images as a tar, reproducibly (fixed times and modes, each blob once): an OCI image
 * layout with the blobs exactly as stored, so digests survive the trip; or a classic
 * docker-save archive ({@code manifest.json}, {@code <id>.json}, {@code <diffid>/layer.tar}
 * with uncompressed layers) that {@code docker load} and {@code skopeo docker-archive:} read.
 */
public final class ArchiveWriter {
    private static final Instant EPOCH = Instant.EPOCH;

    private final ImageStore store;
    private final TarWriter tar;
    private final Progress progress;
    private final Set<String> written = new LinkedHashSet<>();

    private ArchiveWriter(ImageStore store, OutputStream out, Progress progress) {
        this.store = store;
        this.tar = new TarWriter(out);
        this.progress = progress;
    }

    /** An image to save and the names to save it under. */
    public record Named(Image image, List<ImageRef> names) {}

    public static void writeOci(ImageStore store, List<Named> images, OutputStream out, Progress progress) throws IOException {
        ArchiveWriter w = new ArchiveWriter(store, out, progress);
        w.directory("blobs/");
        w.directory("blobs/sha256/");
        List<Descriptor> manifests = new ArrayList<>();
        for (Named named : images) {
            Image image = named.image();
            for (Layer layer : image.layers()) w.blob(layer.blob().digest());
            w.blob(image.id());
            w.blob(image.manifestDigest());
            Descriptor manifest = new Descriptor(image.manifest().mediaType(), image.manifestDigest(), image.descriptor().size());
            if (named.names().isEmpty()) manifests.add(manifest);
            for (ImageRef name : named.names()) {
                Map<String, String> annotations = new LinkedHashMap<>();
                annotations.put("io.containerd.image.name", name.toString());
                annotations.put("org.opencontainers.image.ref.name", name.tag());
                manifests.add(manifest.withAnnotations(annotations));
            }
        }
        w.document("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.US_ASCII));
        w.document("index.json", Json.write(ImageIndex.oci(manifests)));
        w.tar.finish();
    }

    public static void writeDocker(ImageStore store, List<Named> images, OutputStream out, Path tmp, Progress progress)
            throws IOException {
        ArchiveWriter w = new ArchiveWriter(store, out, progress);
        List<Map<String, Object>> manifest = new ArrayList<>();
        for (Named named : images) {
            Image image = named.image();
            String config = image.id().encoded() + ".json";
            if (w.written.add(config)) w.document(config, store.readBlob(image.id()));
            List<String> layers = new ArrayList<>();
            for (Layer layer : image.layers()) {
                String dir = layer.diffId().encoded() + "/";
                String path = dir + "layer.tar";
                if (w.written.add(path)) {
                    w.directory(dir);
                    w.uncompressedLayer(path, layer, tmp);
                }
                layers.add(path);
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Config", config);
            entry.put("RepoTags", named.names().stream().map(ImageRef::familiar).toList());
            entry.put("Layers", layers);
            manifest.add(entry);
        }
        w.document("manifest.json", Json.write(manifest));
        w.tar.finish();
    }

    private void blob(Digest digest) throws IOException {
        String path = "blobs/" + digest.algorithm() + "/" + digest.encoded();
        if (!written.add(path)) return;
        long size = store.blobSize(digest);
        try (InputStream in = store.openBlob(digest)) {
            tar.write(file(path, size), in);
        }
        progress.update(digest.shortId(), "saved", size, size);
    }

    /** Docker-save archives carry layers as plain tars: a compressed blob is expanded to a temporary file first. */
    private void uncompressedLayer(String path, Layer layer, Path tmp) throws IOException {
        Path temp = tmp.resolve("save-" + UUID.randomUUID());
        try {
            try (InputStream in = Compression.decompress(store.openBlob(layer.blob().digest()))) {
                Files.copy(in, temp);
            }
            try (InputStream in = Files.newInputStream(temp)) {
                tar.write(file(path, Files.size(temp)), in);
            }
            progress.update(layer.diffId().shortId(), "saved", Files.size(temp), Files.size(temp));
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void document(String path, byte[] content) throws IOException {
        tar.write(file(path, content.length), new ByteArrayInputStream(content));
    }

    private void directory(String path) throws IOException {
        tar.write(new TarEntry(path, TarEntry.Type.DIRECTORY, 0755, 0, 0, 0, EPOCH, "", 0, 0, Map.of()), null);
    }

    private static TarEntry file(String path, long size) {
        return new TarEntry(path, TarEntry.Type.FILE, 0644, 0, 0, size, EPOCH, "", 0, 0, new HashMap<>());
    }
}
