package dev.vireo.oci;

import dev.vireo.json.Json;

import java.util.List;
import java.util.Map;

/** An OCI content descriptor: what a blob is, its digest and its size ({@code descriptor.md}). */
public record Descriptor(
        String mediaType,
        Digest digest,
        long size,
        List<String> urls,
        Map<String, String> annotations,
        Platform platform,
        String artifactType) implements Json.OmitEmpty {

    public Descriptor {
        if (digest == null) throw new BadContentException("descriptor without a digest");
        if (size < 0) throw new BadContentException("descriptor of " + digest + " has a negative size");
        urls = urls == null ? List.of() : List.copyOf(urls);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, null, null, null, null);
    }

    public Descriptor withAnnotations(Map<String, String> annotations) {
        return new Descriptor(mediaType, digest, size, urls, annotations, platform, artifactType);
    }

    public Descriptor withMediaType(String mediaType) {
        return new Descriptor(mediaType, digest, size, urls, annotations, platform, artifactType);
    }
}
