package dev.vireo.registry;

import dev.vireo.oci.Digest;

import dev.vireo.registry.storage.Storage;
import dev.vireo.registry.storage.Uploads;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Mark and sweep over a registry root. Marked: every manifest revision of every repository
 * and every blob those manifests reference. Swept: unmarked blobs, upload sessions and
 * temporary files older than the grace period, then links to blobs that are gone.
 * <p>
 * Safe while a server runs: a blob being pushed is newer than the grace period until its
 * manifest lands, and the server refreshes a blob's time whenever a client learns that it
 * exists (HEAD, mount, a manifest referencing it), so a push that skips an existing blob
 * keeps it alive too. A manifest is written only after its blobs were found, so nothing a
 * manifest references is ever swept.
 */
public final class GarbageCollector {
    /** Default grace period: content younger than this is never removed. */
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

    private GarbageCollector() {}

    public record Result(int manifests, int blobsKept, int blobsRemoved, long bytesRemoved, int uploadsRemoved, int linksRemoved) {}

    public static Result collect(Path root, Duration grace, boolean dryRun) throws IOException {
        long cutoff = System.currentTimeMillis() - grace.toMillis();
        Storage storage = new Storage(root);
        Set<Digest> marked = new HashSet<>();
        int manifests = 0;
        List<String> repositories = repositoriesWithData(storage);
        for (String repository : repositories) {
            for (Digest revision : storage.revisions(repository)) {
                manifests++;
                marked.add(revision);
                byte[] content;
                try {
                    content = storage.readBlob(revision);
                } catch (NoSuchFileException e) {
                    continue;
                }
                try {
                    Manifest manifest = Manifest.parse(content, null);
                    manifest.blobs().forEach(d -> marked.add(d.digest()));
                    manifest.manifests().forEach(d -> marked.add(d.digest()));
                } catch (RegistryException e) {
                    // a revision that no longer parses references nothing we can know of
                }
            }
        }
        int kept = 0;
        int removed = 0;
        long bytes = 0;
        try (Stream<Path> files = Files.walk(storage.blobsRoot())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Digest digest;
                try {
                    digest = new Digest(file.getParent().getParent().getFileName().toString(), file.getFileName().toString());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                if (marked.contains(digest) || Files.getLastModifiedTime(file).toMillis() >= cutoff) {
                    kept++;
                    continue;
                }
                long size = Files.size(file);
                if (!dryRun) Files.deleteIfExists(file);
                removed++;
                bytes += size;
            }
        }
        int links = 0;
        int uploads = 0;
        if (!dryRun) {
            for (String repository : repositories) links += removeDanglingLinks(storage, repository);
            uploads = new Uploads(storage).removeStale(cutoff);
            removeOldTemporaries(root.resolve("tmp"), cutoff);
        }
        return new Result(manifests, kept, removed, bytes, uploads, links);
    }

    /** Every repository directory with manifests or layer links, also those with no manifest yet. */
    private static List<String> repositoriesWithData(Storage storage) throws IOException {
        Path base = storage.root().resolve("repositories");
        try (Stream<Path> walk = Files.walk(base)) {
            return walk.filter(p -> {
                        String name = p.getFileName().toString();
                        return (name.equals("_manifests") || name.equals("_layers")) && Files.isDirectory(p);
                    })
                    .map(p -> base.relativize(p.getParent()).toString())
                    .distinct().sorted().toList();
        }
    }

    private static int removeDanglingLinks(Storage storage, String repository) throws IOException {
        Path layers = storage.root().resolve("repositories").resolve(repository).resolve("_layers");
        if (!Files.isDirectory(layers)) return 0;
        int removed = 0;
        try (Stream<Path> walk = Files.walk(layers)) {
            for (Path link : walk.filter(Files::isRegularFile).toList()) {
                try {
                    Digest digest = new Digest(link.getParent().getFileName().toString(), link.getFileName().toString());
                    if (storage.blobSize(digest).isEmpty() && Files.deleteIfExists(link)) removed++;
                } catch (IllegalArgumentException e) {
                    // not a link we wrote
                }
            }
        }
        return removed;
    }

    private static void removeOldTemporaries(Path tmp, long cutoff) throws IOException {
        if (!Files.isDirectory(tmp)) return;
        try (Stream<Path> files = Files.list(tmp)) {
            for (Path file : files.toList()) {
                if (Files.getLastModifiedTime(file).toMillis() < cutoff) Files.deleteIfExists(file);
            }
        }
    }
}
