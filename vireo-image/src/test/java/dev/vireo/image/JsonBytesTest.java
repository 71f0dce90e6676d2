package dev.vireo.image;

import dev.vireo.image.store.RootfsStore;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.oci.MediaTypes;
import dev.vireo.oci.Platform;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The exact bytes of the documents Vireo writes: their digests name images, so a change in
 * key order, spacing or what is left out would rename every image Vireo builds. The expected
 * files were recorded from the writer these documents were first written with.
 */
class JsonBytesTest {
    private static final Digest A = Digest.sha256("a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.sha256("b".getBytes(StandardCharsets.UTF_8));

    static ImageConfig fullConfig() {
        Map<String, Map<String, Object>> ports = new LinkedHashMap<>();
        ports.put("8080/tcp", Map.of());
        ports.put("443/tcp", Map.of());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("zeta", "last");
        labels.put("alpha", "fïrst \"quoted\"\n");
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("Test", List.of("CMD-SHELL", "true"));
        health.put("Interval", 30_000_000_000L);
        health.put("Retries", 3);
        health.put("StartPeriod", null);
        ImageConfig.Container container = new ImageConfig.Container("app", ports, List.of("PATH=/bin", "A=b"),
                List.of("/entry"), List.of("sh", "-c", "x"), Map.of("/data", Map.of()), "/work", labels, "SIGTERM", true,
                health, List.of("/bin/sh", "-c"), List.of());
        return new ImageConfig("2026-12-07T21:00:00Z", null, "amd64", "linux", null, container,
                new ImageConfig.RootFs("layers", List.of(A, B)),
                List.of(new ImageConfig.History("2026-12-07T21:00:00Z", "RUN x", null, null, null),
                        new ImageConfig.History(null, "CMD [\"x\"]", "me", "", true)));
    }

    static Manifest manifest() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("org.opencontainers.image.title", "t");
        annotations.put("com.example.a", "");
        return new Manifest(2, MediaTypes.OCI_MANIFEST, null, new Descriptor(MediaTypes.OCI_CONFIG, A, 0),
                List.of(new Descriptor(MediaTypes.OCI_LAYER_GZIP, B, 1234, List.of("https://example.com/b"), annotations, null, ""),
                        new Descriptor("", A, 7)),
                null, annotations);
    }

    static ImageIndex index() {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("org.opencontainers.image.ref.name", "latest");
        annotations.put("io.containerd.image.name", "docker.io/library/busybox:latest");
        return new ImageIndex(2, MediaTypes.OCI_INDEX, null, List.of(
                new Descriptor(MediaTypes.OCI_MANIFEST, A, 500, null, null,
                        new Platform("arm64", "linux", "10.0", List.of("sse4"), "v8"), null),
                new Descriptor(MediaTypes.OCI_MANIFEST, B, 501).withAnnotations(annotations),
                new Descriptor(MediaTypes.OCI_MANIFEST, B, 502, List.of(), Map.of(), new Platform("amd64", "linux", null, List.of(), ""), null)),
                new Descriptor(MediaTypes.OCI_MANIFEST, A, 1), Map.of("k", "v"));
    }

    static Map<String, Object> inspect() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", A.toString());
        m.put("RepoTags", List.of());
        m.put("RepoDigests", List.of("busybox@" + B));
        m.put("Created", null);
        m.put("Config", fullConfig().config());
        m.put("Empty", ImageConfig.Container.empty());
        m.put("RootFS", Map.of("Type", "layers"));
        m.put("Size", 12345L);
        m.put("History", fullConfig().history());
        return m;
    }

    @Test
    void imageConfigKeepsItsBytes() throws IOException {
        assertGolden("config-full.json", Json.write(fullConfig()));
        assertGolden("config-scratch.json", Json.write(ImageConfig.scratch()));
        assertGolden("config-empty-container.json", Json.write(ImageConfig.scratch().withContainer(
                new ImageConfig.Container("", Map.of(), List.of(), null, null, null, null, null, null, false, Map.of(), null, null), null)));
    }

    @Test
    void manifestAndIndexKeepTheirBytes() throws IOException {
        assertGolden("manifest.json", Json.write(manifest()));
        assertGolden("manifest-oci.json", Json.write(Manifest.oci(new Descriptor(MediaTypes.OCI_CONFIG, A, 10), List.of())));
        assertGolden("index.json", Json.write(index()));
        assertGolden("index-oci.json", Json.write(ImageIndex.oci(List.of())));
    }

    @Test
    void storeRecordsKeepTheirBytes() throws IOException {
        assertGolden("rootfs.json", Json.write(new RootfsStore.Record("c1", A, List.of(A, B))));
        assertGolden("gc-root.json", Json.write(new Descriptor(MediaTypes.OCI_MANIFEST, B, 99)));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("Config", A.encoded() + ".json");
        entry.put("RepoTags", List.of("busybox:latest"));
        entry.put("Layers", List.of(B.encoded() + "/layer.tar"));
        assertGolden("docker-manifest.json", Json.write(List.of(entry)));
    }

    @Test
    void inspectPrintsAsBefore() throws IOException {
        List<Object> all = new ArrayList<>(List.of(inspect()));
        assertGolden("inspect.txt", Json.pretty(all).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void documentsReadBackToTheSameBytes() {
        assertRoundTrip(fullConfig(), ImageConfig.class);
        assertRoundTrip(manifest(), Manifest.class);
        assertRoundTrip(index(), ImageIndex.class);
    }

    private static void assertRoundTrip(Object value, Class<?> type) {
        String written = new String(Json.write(value), StandardCharsets.UTF_8);
        assertEquals(written, new String(Json.write(Json.read(written.getBytes(StandardCharsets.UTF_8), type, "document")), StandardCharsets.UTF_8));
    }

    private static void assertGolden(String name, byte[] actual) throws IOException {
        try (InputStream in = JsonBytesTest.class.getResourceAsStream("/json-golden/" + name)) {
            byte[] expected = in.readAllBytes();
            if (!Arrays.equals(expected, actual)) {
                assertEquals(new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8), name);
                assertEquals(Arrays.toString(expected), Arrays.toString(actual), name);
            }
        }
    }
}
