package dev.vireo.image.store;

import dev.vireo.image.Layer;
import dev.vireo.image.Progress;
import dev.vireo.image.layer.Compression;
import dev.vireo.image.layer.LayerWriter;
import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.zip.GZIPOutputStream;

/** New layers: from a tar someone supplies, or from a directory (a container's upper layer), each stored as a blob and a snapshot. */
public final class LayerCommitter {
    private LayerCommitter() {}

    /** Stores {@code blob} (tar, tar+gzip or tar+zstd) as given and unpacks it on top of {@code parentChainId}. */
    public static Layer fromBlob(BlobStore blobs, Snapshots snapshots, Digest parentChainId, InputStream blob,
                                 Progress progress) throws IOException {
        BlobStore.Written written = blobs.put(blob, null, -1, "layer", progress);
        Compression compression;
        try (InputStream in = new BufferedInputStream(blobs.open(written.digest()))) {
            compression = Compression.detect(in);
        }
        Snapshots.Unpacked unpacked;
        try (InputStream tar = Compression.decompress(blobs.open(written.digest()))) {
            unpacked = snapshots.unpack(parentChainId, null, tar, written.digest().shortId(), progress);
        } catch (BadContentException | IOException e) {
            // A refused layer leaves nothing behind, its blob included.
            blobs.delete(written.digest());
            throw e;
        }
        return new Layer(new Descriptor(compression.ociMediaType(), written.digest(), written.size()),
                unpacked.diffId(), unpacked.chainId());
    }

    /**
     * Writes {@code directory} as a reproducible tar, gzip-compressed into a blob; DiffID and blob
     * digest are hashed on the way in one pass. Then unpacks the blob as the layer's snapshot.
     */
    public static Layer fromDirectory(BlobStore blobs, Snapshots snapshots, Digest parentChainId, Path directory,
                                      boolean overlay, Progress progress) throws IOException {
        Path temp = blobs.newTemp();
        MessageDigest blobHash = Digest.newSha256();
        MessageDigest diffHash = Digest.newSha256();
        try {
            try (OutputStream file = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream hashed = new DigestOutputStream(new BufferedOutputStream(file, 1 << 16), blobHash);
                 GZIPOutputStream gzip = new GZIPOutputStream(hashed, 1 << 16);
                 OutputStream tar = new BufferedOutputStream(new DigestOutputStream(gzip, diffHash), 1 << 16)) {
                progress.update(directory.getFileName().toString(), "archiving", 0, -1);
                LayerWriter.write(directory, tar, overlay);
            }
            Digest diffId = Digest.ofSha256(diffHash.digest());
            BlobStore.Written written = blobs.adopt(temp, Digest.ofSha256(blobHash.digest()));
            Digest chainId = Layer.chainId(parentChainId, diffId);
            if (!snapshots.has(chainId)) {
                try (InputStream tar = Compression.decompress(blobs.open(written.digest()))) {
                    snapshots.unpack(parentChainId, diffId, tar, written.digest().shortId(), progress);
                }
            }
            return new Layer(new Descriptor(Compression.GZIP.ociMediaType(), written.digest(), written.size()), diffId, chainId);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
