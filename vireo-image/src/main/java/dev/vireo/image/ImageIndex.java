package dev.vireo.image;

import dev.vireo.json.Json;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Platform;

import dev.vireo.oci.MediaTypes;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An OCI image index or a Docker manifest list: one manifest per platform ({@code image-index.md}). */
public record ImageIndex(
        int schemaVersion,
        String mediaType,
        String artifactType,
        List<Descriptor> manifests,
        Descriptor subject,
        Map<String, String> annotations) implements ManifestDocument, Json.OmitEmpty {

    public ImageIndex {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public static ImageIndex oci(List<Descriptor> manifests) {
        return new ImageIndex(2, MediaTypes.OCI_INDEX, null, manifests, null, null);
    }

    /** The image manifest for {@code platform}; entries of unknown media types are skipped, as the spec asks. */
    public Optional<Descriptor> forPlatform(Platform platform) {
        return manifests.stream()
                .filter(d -> MediaTypes.isManifest(d.mediaType()) && platform.matches(d.platform()))
                .findFirst();
    }
}
