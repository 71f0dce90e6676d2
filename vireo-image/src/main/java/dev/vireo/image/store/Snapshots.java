package dev.vireo.image.store;

import dev.vireo.image.Layer;
import dev.vireo.image.Progress;
import dev.vireo.image.layer.LayerUnpacker;
import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Unpacked layers, one directory per ChainID: {@code snapshots/<chain>/fs} holds the layer's
 * own files in overlayfs's format, {@code diffid} its DiffID. A snapshot is unpacked in
 * {@code tmp/} and renamed into place whole. Each also has a short name, a 26-character symlink
 * {@code l/<ID> -> ../snapshots/<chain>/fs}, as Docker's overlay2 driver keeps, so that many
 * layers fit in overlayfs's one-page mount options.
 */
public final class Snapshots {
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private final Path dir;
    private final Path links;
    private final Path tmp;

    public Snapshots(Path dir, Path links, Path tmp) {
        this.dir = dir;
        this.links = links;
        this.tmp = tmp;
    }

    public void create() throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(links);
    }

    public boolean has(Digest chainId) {
        return Files.isDirectory(fs(chainId), LinkOption.NOFOLLOW_LINKS);
    }

    public Path fs(Digest chainId) {
        return dir.resolve(chainId.encoded()).resolve("fs");
    }

    /**
     * Unpacks an uncompressed layer tar as a snapshot on top of the stack {@code parentChainId}
     * (null for a base layer), checking that its DiffID is {@code expectedDiffId} when given.
     * Returns the DiffID and ChainID. A snapshot someone else made meanwhile wins; a refused or
     * interrupted layer leaves only a temporary directory that garbage collection removes.
     */
    public Unpacked unpack(Digest parentChainId, Digest expectedDiffId, InputStream tar, String label, Progress progress)
            throws IOException {
        Path staging = tmp.resolve("snapshot-" + UUID.randomUUID());
        Files.createDirectories(staging.resolve("fs"));
        try {
            LayerUnpacker.Result result = LayerUnpacker.unpack(tar, staging.resolve("fs"), label, progress);
            if (expectedDiffId != null && !expectedDiffId.equals(result.diffId())) {
                throw new BadContentException(label + ": layer DiffID mismatch: the config says " + expectedDiffId
                        + ", the content is " + result.diffId());
            }
            Digest chainId = Layer.chainId(parentChainId, result.diffId());
            Files.writeString(staging.resolve("diffid"), result.diffId().toString(), StandardCharsets.US_ASCII);
            install(staging, chainId);
            return new Unpacked(result.diffId(), chainId);
        } finally {
            AtomicFiles.deleteTree(staging);
        }
    }

    /** A snapshot made: the layer's DiffID and the ChainID it is stored under. */
    public record Unpacked(Digest diffId, Digest chainId) {}

    /** Moves a complete staging directory into place as {@code chainId}, unless it is there already. */
    private void install(Path staging, Digest chainId) throws IOException {
        Path target = dir.resolve(chainId.encoded());
        if (!Files.exists(target)) {
            try {
                AtomicFiles.move(staging, target);
            } catch (FileSystemException e) {
                // Another command unpacked the same layer first (rename fails with ENOTEMPTY): its copy is as good as ours.
                if (!Files.isDirectory(target.resolve("fs"), LinkOption.NOFOLLOW_LINKS)) throw e;
            }
        }
        link(chainId);
    }

    /** The short-name symlink of a snapshot, made if missing (a crash may have come between rename and link). */
    public Path link(Digest chainId) throws IOException {
        Path link = links.resolve(shortId(chainId));
        if (!Files.isSymbolicLink(link)) {
            Path temp = links.resolve("." + shortId(chainId) + "." + UUID.randomUUID());
            Files.createSymbolicLink(temp, Path.of("..", dir.getFileName().toString(), chainId.encoded(), "fs"));
            AtomicFiles.move(temp, link);
        }
        return link;
    }

    /** 26 base32 characters from the ChainID: as long as Docker's link names and as unique as 130 bits. */
    static String shortId(Digest chainId) {
        byte[] hash = java.util.HexFormat.of().parseHex(chainId.encoded().substring(0, 34));
        StringBuilder id = new StringBuilder(26);
        long buffer = 0;
        int bits = 0;
        for (byte b : hash) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5 && id.length() < 26) {
                id.append(BASE32[(int) (buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return id.toString();
    }

    public List<Digest> list() throws IOException {
        List<Digest> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) return all;
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                try {
                    all.add(new Digest("sha256", p.getFileName().toString()));
                } catch (BadContentException e) {
                    AtomicFiles.deleteTree(p);
                }
            }
        }
        return all;
    }

    /** Deletes a snapshot and its link; returns the bytes its files used. */
    public long delete(Digest chainId) throws IOException {
        Path snapshot = dir.resolve(chainId.encoded());
        long bytes = Usage.of(snapshot);
        Files.deleteIfExists(links.resolve(shortId(chainId)));
        // Rename first so that a crash midway never leaves a half-deleted snapshot under its name.
        Path doomed = tmp.resolve("deleting-" + UUID.randomUUID());
        if (Files.exists(snapshot, LinkOption.NOFOLLOW_LINKS)) {
            AtomicFiles.move(snapshot, doomed);
            AtomicFiles.deleteTree(doomed);
        }
        return bytes;
    }

    /** Removes links whose snapshot is gone. */
    public void removeDanglingLinks() throws IOException {
        if (!Files.isDirectory(links)) return;
        try (Stream<Path> entries = Files.list(links)) {
            for (Path link : entries.toList()) {
                if (!Files.exists(link)) Files.deleteIfExists(link);
            }
        }
    }
}
