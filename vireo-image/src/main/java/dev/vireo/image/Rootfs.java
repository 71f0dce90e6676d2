package dev.vireo.image;

import dev.vireo.oci.Digest;

import java.nio.file.Path;
import java.util.List;

/**
 * A container's root filesystem: an overlay of its image's layer snapshots ({@code lowers},
 * top first) with the container's own {@code upper} and {@code work} directories, mounted on
 * {@code merged}. Removing the container removes its upper layer with it.
 */
public record Rootfs(String id, Path merged, Path upper, Path work, List<Path> lowers, Digest image) {
    public Rootfs {
        lowers = List.copyOf(lowers);
    }
}
