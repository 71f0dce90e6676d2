package dev.vireo.image;

import dev.vireo.json.Json;
import dev.vireo.oci.Descriptor;

import dev.vireo.oci.MediaTypes;

import java.util.List;
import java.util.Map;

/**
 * An image manifest, OCI ({@code manifest.md}) or Docker schema 2: a config and the layers,
 * base layer first.
 */
public record Manifest(
        int schemaVersion,
        String mediaType,
        String artifactType,
        Descriptor config,
        List<Descriptor> layers,
        Descriptor subject,
        Map<String, String> annotations) implements ManifestDocument, Json.OmitEmpty {

    public Manifest {
        layers = layers == null ? List.of() : List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    /** An OCI manifest of {@code config} and {@code layers}. */
    public static Manifest oci(Descriptor config, List<Descriptor> layers) {
        return new Manifest(2, MediaTypes.OCI_MANIFEST, null, config, layers, null, null);
    }
}
