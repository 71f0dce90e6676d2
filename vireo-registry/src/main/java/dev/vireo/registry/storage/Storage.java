package dev.vireo.registry.storage;

import dev.vireo.oci.Digest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The registry's directory tree. Content lives once, by digest; repositories hold links:
 * <pre>
 * blobs/ALG/XX/HEX                                 content, placed only by rename after verification
 * repositories/NAME/_layers/ALG/HEX                 empty file: NAME may read blob HEX
 * repositories/NAME/_manifests/revisions/ALG/HEX    the manifest's media type
 * repositories/NAME/_manifests/tags/TAG             the digest the tag points to
 * repositories/NAME/_referrers/ALG/SUBJECT/ALG-HEX  descriptor (JSON) of a manifest whose subject is SUBJECT
 * uploads/ID/...                                    upload sessions ({@link Uploads})
 * tmp/                                              files being written, renamed into place when complete
 * </pre>
 * Path components come from validated names, tags and digests only, so none escapes the root.
 */
public final class Storage {
    private final Path root;
    private final Path blobs;
    private final Path repositories;
    private final AtomicFiles atomic;

    public Storage(Path root) throws IOException {
        this.root = Files.createDirectories(root);
        this.blobs = Files.createDirectories(root.resolve("blobs"));
        this.repositories = Files.createDirectories(root.resolve("repositories"));
        this.atomic = new AtomicFiles(root.resolve("tmp"));
    }

    public Path root() {
        return root;
    }

    AtomicFiles atomic() {
        return atomic;
    }

    // --- blobs

    public Path blobPath(Digest digest) {
        return blobs.resolve(digest.algorithm()).resolve(digest.encoded().substring(0, 2)).resolve(digest.encoded());
    }

    public Path blobsRoot() {
        return blobs;
    }

    /** The size of a stored blob, or empty when the registry does not hold it. */
    public Optional<Long> blobSize(Digest digest) {
        try {
            return Optional.of(Files.size(blobPath(digest)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Marks a blob as just used, so a garbage collection running now keeps it during its grace
     * period (a client that saw it exist may be about to reference it).
     */
    public void touch(Digest digest) {
        try {
            Files.setLastModifiedTime(blobPath(digest), FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException e) {
            // it was removed meanwhile: the caller's next look finds it missing
        }
    }

    /** Places a verified, flushed file as the content of {@code digest}. Same content twice is harmless. */
    public void commitBlob(Path verifiedFile, Digest digest) throws IOException {
        AtomicFiles.moveIntoPlace(verifiedFile, blobPath(digest));
    }

    /** Stores small content (a manifest) under its digest. */
    public Digest putBytes(byte[] data, Digest digest) throws IOException {
        if (blobSize(digest).isEmpty()) atomic.write(blobPath(digest), data);
        else touch(digest);
        return digest;
    }

    public byte[] readBlob(Digest digest) throws IOException {
        return Files.readAllBytes(blobPath(digest));
    }

    // --- repositories and links

    private Path repository(String name) {
        return repositories.resolve(name);
    }

    private Path layerLink(String name, Digest digest) {
        return repository(name).resolve("_layers").resolve(digest.algorithm()).resolve(digest.encoded());
    }

    public boolean repositoryExists(String name) {
        Path repository = repository(name);
        return Files.isDirectory(repository.resolve("_manifests")) || Files.isDirectory(repository.resolve("_layers"));
    }

    /** Whether repository {@code name} may serve blob {@code digest}, and the registry has it. */
    public boolean linked(String name, Digest digest) {
        return Files.exists(layerLink(name, digest)) && Files.exists(blobPath(digest));
    }

    public void link(String name, Digest digest) throws IOException {
        AtomicFiles.touchMarker(layerLink(name, digest));
    }

    public boolean unlink(String name, Digest digest) throws IOException {
        return Files.deleteIfExists(layerLink(name, digest));
    }

    /** Every repository name, sorted. */
    public List<String> repositories() throws IOException {
        List<String> names = new ArrayList<>();
        collectRepositories(repositories, "", names);
        names.sort(null);
        return names;
    }

    private void collectRepositories(Path directory, String prefix, List<String> out) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, Files::isDirectory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith("_")) continue;
                String full = prefix.isEmpty() ? name : prefix + "/" + name;
                if (Files.isDirectory(entry.resolve("_manifests"))) out.add(full);
                collectRepositories(entry, full, out);
            }
        }
    }

    // --- manifests and tags

    private Path revision(String name, Digest digest) {
        return repository(name).resolve("_manifests").resolve("revisions").resolve(digest.algorithm()).resolve(digest.encoded());
    }

    private Path tagFile(String name, String tag) {
        return repository(name).resolve("_manifests").resolve("tags").resolve(tag);
    }

    /** A manifest revision of a repository: its digest, media type and where its bytes are. */
    public record StoredManifest(Digest digest, String mediaType, Path file, long size) {}

    /** Records a manifest (its content already stored with {@link #putBytes}) as a revision of {@code name}. */
    public void putRevision(String name, Digest digest, String mediaType) throws IOException {
        atomic.write(revision(name, digest), mediaType.getBytes(StandardCharsets.UTF_8));
    }

    public Optional<StoredManifest> manifest(String name, Digest digest) throws IOException {
        Path link = revision(name, digest);
        String mediaType;
        try {
            mediaType = Files.readString(link, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Optional<Long> size = blobSize(digest);
        return size.map(s -> new StoredManifest(digest, mediaType, blobPath(digest), s));
    }

    public boolean deleteRevision(String name, Digest digest) throws IOException {
        return Files.deleteIfExists(revision(name, digest));
    }

    /** Every manifest revision of a repository. */
    public List<Digest> revisions(String name) throws IOException {
        return listDigests(repository(name).resolve("_manifests").resolve("revisions"));
    }

    private static List<Digest> listDigests(Path byAlgorithm) throws IOException {
        List<Digest> digests = new ArrayList<>();
        if (!Files.isDirectory(byAlgorithm)) return digests;
        try (Stream<Path> algorithms = Files.list(byAlgorithm)) {
            for (Path algorithm : algorithms.toList()) {
                try (Stream<Path> files = Files.list(algorithm)) {
                    for (Path file : files.toList()) {
                        try {
                            digests.add(new Digest(algorithm.getFileName().toString(), file.getFileName().toString()));
                        } catch (IllegalArgumentException e) {
                            // not a digest: a stray file, ignored
                        }
                    }
                }
            }
        }
        return digests;
    }

    public void tag(String name, String tag, Digest digest) throws IOException {
        atomic.write(tagFile(name, tag), digest.toString().getBytes(StandardCharsets.UTF_8));
    }

    public Optional<Digest> resolveTag(String name, String tag) throws IOException {
        try {
            return Optional.of(Digest.parse(Files.readString(tagFile(name, tag), StandardCharsets.UTF_8).strip()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public boolean deleteTag(String name, String tag) throws IOException {
        return Files.deleteIfExists(tagFile(name, tag));
    }

    /** The tags of a repository, sorted. */
    public List<String> tags(String name) throws IOException {
        Path directory = repository(name).resolve("_manifests").resolve("tags");
        if (!Files.isDirectory(directory)) return List.of();
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // --- referrers

    private Path referrer(String name, Digest subject, Digest manifest) {
        return repository(name).resolve("_referrers").resolve(subject.algorithm()).resolve(subject.encoded())
                .resolve(manifest.algorithm() + "-" + manifest.encoded());
    }

    public void putReferrer(String name, Digest subject, Digest manifest, byte[] descriptor) throws IOException {
        atomic.write(referrer(name, subject, manifest), descriptor);
    }

    public void deleteReferrer(String name, Digest subject, Digest manifest) throws IOException {
        Files.deleteIfExists(referrer(name, subject, manifest));
    }

    /** The descriptors of manifests in {@code name} whose subject is {@code subject}. */
    public List<byte[]> referrers(String name, Digest subject) throws IOException {
        Path directory = repository(name).resolve("_referrers").resolve(subject.algorithm()).resolve(subject.encoded());
        if (!Files.isDirectory(directory)) return List.of();
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted().toList()) {
                try {
                    out.add(Files.readAllBytes(file));
                } catch (NoSuchFileException e) {
                    // deleted meanwhile
                }
            }
        }
        return out;
    }

    /** Every repository directory, for garbage collection. */
    Path repositoriesRoot() {
        return repositories;
    }
}
