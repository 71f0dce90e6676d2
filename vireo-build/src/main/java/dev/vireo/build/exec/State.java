package dev.vireo.build.exec;

import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.image.Image;
import dev.vireo.image.ImageConfig;
import dev.vireo.image.Json;
import dev.vireo.image.Layer;

import java.util.List;

/**
 * Where a stage is between two steps: an image configuration and its layers, and the manifest
 * they are stored as ({@code null} while not yet committed). {@link #id()} is the image ID, the
 * digest of the configuration: the parent in the next step's cache key.
 */
record State(ImageConfig config, List<Layer> layers, Descriptor manifest, Digest id) {
    State {
        layers = List.copyOf(layers);
    }

    static State of(Image image) {
        return new State(image.config(), image.layers(), image.descriptor(), image.id());
    }

    /** A state that exists only in memory yet (scratch, or a base image whose ONBUILD triggers were taken out). */
    static State uncommitted(ImageConfig config, List<Layer> layers) {
        return new State(config, layers, null, Digest.sha256(Json.write(config)));
    }

    Digest topChainId() {
        return layers.isEmpty() ? null : layers.getLast().chainId();
    }

    ImageConfig.Container container() {
        return config.config() == null ? ImageConfig.Container.empty() : config.config();
    }
}
