package dev.vireo.image;

import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.oci.MediaTypes;
import dev.vireo.oci.Platform;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentifiersTest {
    // DiffIDs from the example in the image spec's config.md.
    private static final Digest D0 = Digest.parse("sha256:c6f988f4874bb0add23a778f753c65efe992244e148a1d2ec2a8b664fb66bbd1");
    private static final Digest D1 = Digest.parse("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");

    @Test
    void chainIdOfTheBaseLayerIsItsDiffIdAndOfAStackTheDigestOfParentSpaceDiffId() {
        List<Digest> chain = Layer.chainIds(List.of(D0, D1));
        assertEquals(D0, chain.get(0));
        // Computed independently: printf '%s %s' D0 D1 | sha256sum
        assertEquals("sha256:c3191d32a37d7159b2e30830937d2e30268ad6c375a773a8994911a3aba9b93f", chain.get(1).toString());
    }

    @Test
    void imageIdIsTheDigestOfTheConfigBytes() {
        byte[] config = Json.write(ImageConfig.scratch());
        Descriptor d = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length);
        Image image = new Image(new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(new byte[1]), 1),
                Manifest.oci(d, List.of()), ImageConfig.scratch(), List.of());
        assertEquals(Digest.sha256(config), image.id());
    }

    @Test
    void manifestsOfBothFamiliesParse() {
        String docker = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7,"digest":"%s"},
                 "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":9,"digest":"%s"}]}
                """.formatted(D0, D1);
        Manifest m = (Manifest) ManifestDocument.parse(docker.getBytes(StandardCharsets.UTF_8), null);
        assertEquals(MediaTypes.DOCKER_MANIFEST, m.mediaType());
        assertEquals(D1, m.layers().getFirst().digest());
        String list = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
                 "manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":5,"digest":"%s",
                   "platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
                  {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":5,"digest":"%s",
                   "platform":{"architecture":"amd64","os":"linux"}}]}
                """.formatted(D0, D1);
        ImageIndex index = (ImageIndex) ManifestDocument.parse(list.getBytes(StandardCharsets.UTF_8), null);
        assertEquals(D1, index.forPlatform(new Platform("amd64", "linux", null, null, null)).orElseThrow().digest());
        String ociNoMediaType = """
                {"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":7,"digest":"%s"},"layers":[]}
                """.formatted(D0);
        assertEquals(MediaTypes.OCI_MANIFEST, ManifestDocument.parse(ociNoMediaType.getBytes(StandardCharsets.UTF_8), null).mediaType());
    }

    @Test
    void malformedManifestsAreRefused() {
        assertThrows(BadContentException.class, () -> ManifestDocument.parse("{".getBytes(), null));
        assertThrows(BadContentException.class, () -> ManifestDocument.parse("{\"schemaVersion\":1}".getBytes(), null));
        assertThrows(BadContentException.class, () -> ManifestDocument.parse(
                "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}".getBytes(), null));
        assertThrows(BadContentException.class, () -> ManifestDocument.parse(
                "{\"schemaVersion\":2,\"mediaType\":\"text/plain\"}".getBytes(), null));
    }

    @Test
    void malformedFieldsAreNamedByTheirPath() {
        BadContentException e = assertThrows(BadContentException.class, () -> ManifestDocument.parse(
                "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:x\",\"size\":1}]}".getBytes(), null));
        assertEquals("malformed image index: manifests[0].digest: invalid sha256 digest 'x'", e.getMessage());
        e = assertThrows(BadContentException.class, () -> ManifestDocument.parse("{\"schemaVersion\":2,".getBytes(), null));
        assertTrue(e.getMessage().startsWith("malformed manifest: not valid JSON at line 1, column "), e.getMessage());
        e = assertThrows(BadContentException.class, () -> Json.read("[]".getBytes(), ImageConfig.class, "image config"));
        assertEquals("malformed image config: expected an object", e.getMessage());
    }
}
