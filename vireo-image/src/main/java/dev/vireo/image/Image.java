package dev.vireo.image;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.Digest;

import java.util.List;

/**
 * An image as the store holds it: the manifest (and its descriptor), the configuration, and
 * its layers with DiffIDs and ChainIDs. {@link #id()} is the image ID, the config's digest.
 */
public record Image(Descriptor descriptor, Manifest manifest, ImageConfig config, List<Layer> layers) {

    public Image {
        layers = List.copyOf(layers);
    }

    /** The image ID: the digest of the configuration JSON ({@code config.md}). */
    public Digest id() {
        return manifest.config().digest();
    }

    public Digest manifestDigest() {
        return descriptor.digest();
    }

    /** The ChainID of the whole stack, or null for an image with no layers. */
    public Digest topChainId() {
        return layers.isEmpty() ? null : layers.getLast().chainId();
    }

    /** The bytes of the layers' blobs as stored. */
    public long size() {
        return layers.stream().mapToLong(l -> l.blob().size()).sum() + manifest.config().size();
    }
}
