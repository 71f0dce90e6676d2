package dev.vireo.image;

import dev.vireo.image.layer.Compression;
import dev.vireo.image.layer.LayerUnpacker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Tar archives that are not layers: what the builder's {@code ADD} extracts from a local archive. */
public final class TarArchives {
    private TarArchives() {}

    /**
     * Extracts a tar (plain, gzip or zstd) into {@code directory} with owners, modes, links,
     * devices and xattrs, as {@code tar -x} as root does, refusing any entry that would land
     * outside it. Names are not layer whiteouts here. A refused archive may leave part of its
     * content behind: extract into a directory of your own and drop it on failure.
     */
    public static void extract(InputStream archive, Path directory, String label) throws IOException {
        try (InputStream tar = Compression.decompress(archive)) {
            LayerUnpacker.extract(tar, directory, label, Progress.NONE);
        }
    }
}
