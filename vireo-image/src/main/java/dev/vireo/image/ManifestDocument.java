package dev.vireo.image;

import dev.vireo.oci.BadContentException;

import dev.vireo.oci.MediaTypes;

import java.util.Map;

/** What a manifest digest names: an image manifest or an index of them. */
public sealed interface ManifestDocument permits Manifest, ImageIndex {
    int schemaVersion();

    String mediaType();

    /**
     * Parses and checks a manifest or index. The media type comes from the document, else from
     * {@code declaredType} (a descriptor or a Content-Type), else from its shape, since OCI makes
     * the field optional.
     */
    static ManifestDocument parse(byte[] json, String declaredType) {
        Map<String, Object> tree = Json.tree(json, "manifest");
        String mediaType = tree.get("mediaType") instanceof String declared ? declared : declaredType;
        if (mediaType == null) {
            mediaType = tree.containsKey("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        }
        if (declaredType != null && !declaredType.equals(mediaType)
                && !(MediaTypes.MANIFEST_TYPES.contains(declaredType) && sameKind(declaredType, mediaType))) {
            throw new BadContentException("manifest declares media type " + mediaType + " but was given as " + declaredType);
        }
        if (!Integer.valueOf(2).equals(tree.get("schemaVersion"))) {
            throw new BadContentException("unsupported manifest schemaVersion " + tree.get("schemaVersion") + " (only 2)");
        }
        if (MediaTypes.isIndex(mediaType)) {
            ImageIndex index = Json.bind(tree, ImageIndex.class, "image index");
            return new ImageIndex(index.schemaVersion(), mediaType, index.artifactType(), index.manifests(),
                    index.subject(), index.annotations());
        }
        if (MediaTypes.isManifest(mediaType)) {
            Manifest m = Json.bind(tree, Manifest.class, "image manifest");
            if (m.config() == null) throw new BadContentException("image manifest has no config");
            return new Manifest(m.schemaVersion(), mediaType, m.artifactType(), m.config(), m.layers(),
                    m.subject(), m.annotations());
        }
        throw new BadContentException("unsupported manifest media type " + mediaType);
    }

    private static boolean sameKind(String a, String b) {
        return MediaTypes.isIndex(a) == MediaTypes.isIndex(b);
    }
}
