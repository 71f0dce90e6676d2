package dev.vireo.registry;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.BadContentException;

import dev.vireo.oci.MediaTypes;

import dev.vireo.oci.Digest;
import dev.vireo.oci.Platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
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
    private static final ObjectMapper JSON = new ObjectMapper();

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
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (IOException e) {
            throw invalid("manifest is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) throw invalid("manifest is not a JSON object");
        JsonNode version = root.get("schemaVersion");
        if (version == null || !version.isInt() || version.intValue() != 2) throw invalid("schemaVersion must be 2");
        String declared = text(root, "mediaType");
        String type = contentType == null ? null : contentType.split(";")[0].strip();
        if (type != null && (type.isEmpty() || type.equals("application/json") || type.equals("application/octet-stream"))) type = null;
        if (declared != null && type != null && !declared.equals(type)) {
            throw invalid("mediaType " + declared + " does not match Content-Type " + type);
        }
        String mediaType = declared != null ? declared : type;
        if (mediaType == null) {
            mediaType = root.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        Map<String, String> annotations = stringMap(root.get("annotations"));
        Descriptor subject = root.has("subject") ? descriptor(root.get("subject"), "subject") : null;
        String artifactType = text(root, "artifactType");
        if (MediaTypes.isIndex(mediaType)) {
            JsonNode manifests = root.get("manifests");
            if (manifests == null || !manifests.isArray()) throw invalid("an index needs a manifests array");
            List<Descriptor> children = new ArrayList<>();
            for (JsonNode child : manifests) children.add(descriptor(child, "manifests[]"));
            return new Manifest(mediaType, artifactType, null, List.of(), List.copyOf(children), subject, annotations);
        }
        if (MediaTypes.isManifest(mediaType)) {
            JsonNode config = root.get("config");
            if (config == null) throw invalid("a manifest needs a config descriptor");
            JsonNode layers = root.get("layers");
            if (layers == null || !layers.isArray()) throw invalid("a manifest needs a layers array");
            List<Descriptor> layerList = new ArrayList<>();
            for (JsonNode layer : layers) layerList.add(descriptor(layer, "layers[]"));
            return new Manifest(mediaType, artifactType, descriptor(config, "config"), List.copyOf(layerList), List.of(), subject, annotations);
        }
        throw invalid("unsupported manifest media type " + mediaType);
    }

    private static Descriptor descriptor(JsonNode node, String where) {
        if (node == null || !node.isObject()) throw invalid(where + " is not a descriptor object");
        String mediaType = text(node, "mediaType");
        if (mediaType == null) throw invalid(where + " has no mediaType");
        String digest = text(node, "digest");
        if (digest == null) throw invalid(where + " has no digest");
        JsonNode size = node.get("size");
        if (size == null || !size.canConvertToLong() || size.longValue() < 0) throw invalid(where + " has no valid size");
        Digest parsed;
        try {
            parsed = Digest.parse(digest);
        } catch (BadContentException e) {
            throw invalid(where + ": " + e.getMessage());
        }
        List<String> urls = new ArrayList<>();
        JsonNode urlNode = node.get("urls");
        if (urlNode != null && urlNode.isArray()) urlNode.forEach(u -> urls.add(u.asText()));
        JsonNode platform = node.get("platform");
        Platform parsedPlatform = platform != null && platform.isObject()
                ? new Platform(platform.path("architecture").asText(""), platform.path("os").asText(""), text(platform, "os.version"),
                        null, text(platform, "variant"))
                : null;
        return new Descriptor(mediaType, parsed, size.longValue(), urls, stringMap(node.get("annotations")), parsedPlatform,
                text(node, "artifactType"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw invalid(field + " must be a string");
        return value.textValue();
    }

    private static Map<String, String> stringMap(JsonNode node) {
        if (node == null || node.isNull()) return Map.of();
        if (!node.isObject()) throw invalid("annotations must be an object");
        Map<String, String> map = new LinkedHashMap<>();
        node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(ErrorCode.MANIFEST_INVALID, message);
    }

    private static String firstLine(String text) {
        if (text == null) return "";
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
