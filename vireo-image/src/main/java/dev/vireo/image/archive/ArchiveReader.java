package dev.vireo.image.archive;

import dev.vireo.image.ImageIndex;
import dev.vireo.image.ImageStore;
import dev.vireo.image.Json;
import dev.vireo.image.Manifest;
import dev.vireo.image.ManifestDocument;
import dev.vireo.image.Progress;
import dev.vireo.image.layer.Compression;
import dev.vireo.image.layer.EntryPaths;
import dev.vireo.image.tar.TarEntry;
import dev.vireo.image.tar.TarReader;
import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.oci.ImageRef;
import dev.vireo.oci.MediaTypes;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads an image archive in one pass, as a stream (a tar, plain or compressed, from a file or
 * stdin) or as a directory: an OCI image layout ({@code oci-layout}, {@code index.json},
 * {@code blobs/<alg>/<hex>}, each blob verified against its name as it is stored) or a
 * docker-save archive ({@code manifest.json} naming a config and layer tars per image, older
 * ones with symlinks between duplicate layers). Blobs go straight into the store; the small
 * JSON documents are kept until the end, when the images are assembled. An archive that has
 * both (as Docker 25 writes) is read as an OCI layout.
 */
public final class ArchiveReader {
    private static final Pattern BLOB = Pattern.compile("blobs/(sha256|sha512)/([a-f0-9]+)");
    private static final long SMALL = 1 << 20;
    private static final String CONTAINERD_NAME = "io.containerd.image.name";

    private final ImageStore store;
    private final Progress progress;
    private final Map<String, byte[]> documents = new HashMap<>();
    private final Map<String, Descriptor> blobs = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();

    private ArchiveReader(ImageStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
    }

    /** An image found in an archive: its manifest or index, and the names the archive gave it. */
    public record Found(Descriptor target, List<ImageRef> names) {}

    /** Reads a tar stream (plain, gzip or zstd); the caller holds a lease on the store. */
    public static List<Found> read(ImageStore store, InputStream archive, Progress progress) throws IOException {
        ArchiveReader reader = new ArchiveReader(store, progress);
        try (TarReader tar = new TarReader(Compression.decompress(new BufferedInputStream(archive, 1 << 16)))) {
            for (TarEntry e; (e = tar.next()) != null; ) {
                switch (e.type()) {
                    case FILE -> reader.file(e.name(), e.size(), tar.content());
                    case SYMLINK -> reader.link(e.name(), e.linkName(), true);
                    case HARDLINK -> reader.link(e.name(), e.linkName(), false);
                    default -> { }
                }
            }
        }
        return reader.images();
    }

    /** Reads an image layout directory, such as {@code skopeo copy ... oci:DIR} makes. */
    public static List<Found> read(ImageStore store, Path directory, Progress progress) throws IOException {
        ArchiveReader reader = new ArchiveReader(store, progress);
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path p : walk.sorted().toList()) {
                String name = directory.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    reader.link(name, Files.readSymbolicLink(p).toString(), true);
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    try (InputStream in = Files.newInputStream(p)) {
                        reader.file(name, Files.size(p), in);
                    }
                }
            }
        }
        return reader.images();
    }

    private void file(String name, long size, InputStream content) throws IOException {
        String path = normalize(name);
        Matcher blob = BLOB.matcher(path);
        if (blob.matches()) {
            Digest digest = new Digest(blob.group(1), blob.group(2));
            blobs.put(path, store.putBlob("application/octet-stream", content, digest, size, progress));
        } else if (size <= SMALL && (path.endsWith(".json") || path.equals("oci-layout") || path.equals("repositories"))) {
            documents.put(path, content.readAllBytes());
        } else {
            blobs.put(path, store.putBlob("application/octet-stream", content, null, size, progress));
        }
    }

    /** Symbolic links resolve from their directory, hard links from the archive root; neither may leave it. */
    private void link(String name, String target, boolean relative) {
        String path = normalize(name);
        String base = relative && path.contains("/") ? path.substring(0, path.lastIndexOf('/') + 1) : "";
        List<String> resolved = new ArrayList<>();
        for (String part : (base + target).split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (resolved.isEmpty()) throw new BadContentException("archive link '" + name + "' points outside the archive");
                resolved.removeLast();
            } else {
                resolved.add(part);
            }
        }
        if (target.startsWith("/")) throw new BadContentException("archive link '" + name + "' is absolute");
        links.put(path, String.join("/", resolved));
    }

    private static String normalize(String name) {
        return String.join("/", EntryPaths.components(name));
    }

    private List<Found> images() throws IOException {
        if (documents.containsKey("index.json") && documents.containsKey("oci-layout")) return oci();
        if (documents.containsKey("manifest.json")) return docker();
        throw new BadContentException("not an image archive: it has neither an OCI layout (oci-layout, index.json) "
                + "nor a docker-save manifest.json");
    }

    private List<Found> oci() throws IOException {
        ImageIndex index = Json.read(documents.get("index.json"), ImageIndex.class, "index.json");
        List<Found> found = new ArrayList<>();
        for (Descriptor d : index.manifests()) {
            if (!store.hasBlob(d.digest())) throw new BadContentException("index.json names " + d.digest() + ", which the archive lacks");
            Descriptor target = check(d);
            found.add(new Found(target, names(d)));
        }
        return found;
    }

    /** Checks a manifest (its config and layers are in the store) or an index (recursively, where its children are present). */
    private Descriptor check(Descriptor d) throws IOException {
        byte[] json = store.readBlob(d.digest());
        ManifestDocument document = ManifestDocument.parse(json, d.mediaType());
        if (document instanceof ImageIndex index) {
            for (Descriptor child : index.manifests()) {
                if (MediaTypes.isManifest(child.mediaType()) || MediaTypes.isIndex(child.mediaType())) {
                    if (store.hasBlob(child.digest())) check(child);
                }
            }
            return new Descriptor(document.mediaType(), d.digest(), json.length);
        }
        return store.putManifest(json, document.mediaType());
    }

    private static List<ImageRef> names(Descriptor d) {
        String full = d.annotations().get(CONTAINERD_NAME);
        String ref = d.annotations().get("org.opencontainers.image.ref.name");
        String name = full != null ? full : ref != null && (ref.contains("/") || ref.contains(":")) ? ref : null;
        return name == null ? List.of() : List.of(ImageRef.parse(name));
    }

    /** One element of a docker-save {@code manifest.json}. */
    record DockerEntry(String config, List<String> repoTags, List<String> layers) {
        static final dev.vireo.json.Json.Names JSON_NAMES = dev.vireo.json.Json.Names.of("config", "Config", "repoTags", "RepoTags", "layers", "Layers");
    }

    private List<Found> docker() throws IOException {
        DockerEntry[] entries = Json.read(documents.get("manifest.json"), DockerEntry[].class, "manifest.json");
        List<Found> found = new ArrayList<>();
        for (DockerEntry entry : entries) {
            if (entry.config() == null || entry.layers() == null) throw new BadContentException("manifest.json entry without Config or Layers");
            Descriptor config = store.putBlob(MediaTypes.OCI_CONFIG, content(entry.config()));
            List<Descriptor> layers = new ArrayList<>();
            for (String layerPath : entry.layers()) {
                Descriptor blob = blobs.get(resolve(normalize(layerPath)));
                if (blob == null) throw new BadContentException("manifest.json names layer " + layerPath + ", which the archive lacks");
                Compression compression;
                try (InputStream in = new BufferedInputStream(store.openBlob(blob.digest()))) {
                    compression = Compression.detect(in);
                }
                layers.add(blob.withMediaType(compression.ociMediaType()));
            }
            Descriptor manifest = store.putManifest(Json.write(Manifest.oci(config, layers)), MediaTypes.OCI_MANIFEST);
            List<ImageRef> names = entry.repoTags() == null ? List.of() : entry.repoTags().stream().map(ImageRef::parse).toList();
            found.add(new Found(manifest, names));
        }
        return found;
    }

    private byte[] content(String name) throws IOException {
        String path = resolve(normalize(name));
        byte[] small = documents.get(path);
        if (small != null) return small;
        Descriptor blob = blobs.get(path);
        if (blob == null) throw new BadContentException("manifest.json names " + name + ", which the archive lacks");
        return store.readBlob(blob.digest());
    }

    private String resolve(String path) {
        String current = path;
        for (int hops = 0; links.containsKey(current); hops++) {
            if (hops > 16) throw new BadContentException("archive links loop at " + path);
            current = links.get(current);
        }
        return current;
    }
}
