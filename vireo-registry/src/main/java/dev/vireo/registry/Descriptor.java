package dev.vireo.registry;

import java.util.List;
import java.util.Map;

/**
 * A content descriptor (OCI image-spec descriptor.md): what a manifest says about a piece of
 * content. {@code platform} is an index entry's {@code os/architecture[/variant]}, else null.
 */
public record Descriptor(String mediaType, Digest digest, long size, String artifactType,
                         Map<String, String> annotations, List<String> urls, String platform) {
    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, null, null, null);
    }
}
