package dev.vireo.registry;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.BadContentException;

import dev.vireo.oci.MediaTypes;

import dev.vireo.oci.Digest;
import dev.vireo.oci.Platform;

import dev.vireo.json.Json;
import dev.vireo.json.JsonException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed image manifest or index, with what it references: {@code blobs} (config and
 * layers) for a manifest, {@code manifests} for an index, and an optional {@code subject}.
 * Parsing validates the structure the spec requires; anything else is {@code MANIFEST_INVALID}.
 */
public record Manifest(String mediaType, String artifactType, Descriptor config, List<Descriptor> layers,
                       List<Descriptor> manifests, Descriptor subject, Map<String, String> annotations) {
    public boolean isIndex() {
        return MediaTypes.isIndex(mediaType);
    }

    /** Config and layers: the blobs a manifest needs. */
    public List<Descriptor> blobs() {
        List<Descriptor> all = new ArrayList<>();
        if (config != null) all.add(config);
        all.addAll(layers);
        return all;
    }

    /**
     * Parses a manifest. {@code contentType} is what the request declared (may be null or
     * generic); it must agree with the document's own {@code mediaType} when both are given.
     */
    public static Manifest parse(byte[] data, String contentType) {
        Object parsed;
        try {
            parsed = Json.parse(data, "manifest");
        } catch (JsonException e) {
            throw invalid("manifest is " + e.problem());
        }
        if (!(parsed instanceof Map<?, ?> root)) throw invalid("manifest is not a JSON object");
        if (!Integer.valueOf(2).equals(root.get("schemaVersion"))) throw invalid("schemaVersion must be 2");
        String declared = text(root, "mediaType");
        String type = contentType == null ? null : contentType.split(";")[0].strip();
        if (type != null && (type.isEmpty() || type.equals("application/json") || type.equals("application/octet-stream"))) type = null;
        if (declared != null && type != null && !declared.equals(type)) {
            throw invalid("mediaType " + declared + " does not match Content-Type " + type);
        }
        String mediaType = declared != null ? declared : type;
        if (mediaType == null) {
            mediaType = root.containsKey("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        Map<String, String> annotations = stringMap(root.get("annotations"));
        Descriptor subject = root.containsKey("subject") ? descriptor(root.get("subject"), "subject") : null;
        String artifactType = text(root, "artifactType");
        if (MediaTypes.isIndex(mediaType)) {
            if (!(root.get("manifests") instanceof List<?> manifests)) throw invalid("an index needs a manifests array");
            List<Descriptor> children = new ArrayList<>();
            for (Object child : manifests) children.add(descriptor(child, "manifests[]"));
            return new Manifest(mediaType, artifactType, null, List.of(), List.copyOf(children), subject, annotations);
        }
        if (MediaTypes.isManifest(mediaType)) {
            Object config = root.get("config");
            if (config == null) throw invalid("a manifest needs a config descriptor");
            if (!(root.get("layers") instanceof List<?> layers)) throw invalid("a manifest needs a layers array");
            List<Descriptor> layerList = new ArrayList<>();
            for (Object layer : layers) layerList.add(descriptor(layer, "layers[]"));
            return new Manifest(mediaType, artifactType, descriptor(config, "config"), List.copyOf(layerList), List.of(), subject, annotations);
        }
        throw invalid("unsupported manifest media type " + mediaType);
    }

    private static Descriptor descriptor(Object value, String where) {
        if (!(value instanceof Map<?, ?> node)) throw invalid(where + " is not a descriptor object");
        String mediaType = text(node, "mediaType");
        if (mediaType == null) throw invalid(where + " has no mediaType");
        String digest = text(node, "digest");
        if (digest == null) throw invalid(where + " has no digest");
        long size = node.get("size") instanceof Integer i ? i : node.get("size") instanceof Long l ? l : -1;
        if (size < 0) throw invalid(where + " has no valid size");
        Digest parsed;
        try {
            parsed = Digest.parse(digest);
        } catch (BadContentException e) {
            throw invalid(where + ": " + e.getMessage());
        }
        List<String> urls = new ArrayList<>();
        if (node.get("urls") instanceof List<?> list) list.forEach(u -> urls.add(String.valueOf(u)));
        Platform parsedPlatform = node.get("platform") instanceof Map<?, ?> platform
                ? new Platform(orEmpty(text(platform, "architecture")), orEmpty(text(platform, "os")), text(platform, "os.version"),
                        null, text(platform, "variant"))
                : null;
        return new Descriptor(mediaType, parsed, size, urls, stringMap(node.get("annotations")), parsedPlatform,
                text(node, "artifactType"));
    }

    private static String text(Map<?, ?> node, String field) {
        Object value = node.get(field);
        if (value == null) return null;
        if (!(value instanceof String s)) throw invalid(field + " must be a string");
        return s;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static Map<String, String> stringMap(Object value) {
        if (value == null) return Map.of();
        if (!(value instanceof Map<?, ?> node)) throw invalid("annotations must be an object");
        Map<String, String> map = new LinkedHashMap<>();
        node.forEach((k, v) -> map.put((String) k, String.valueOf(v)));
        return map;
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, message);
    }
}
