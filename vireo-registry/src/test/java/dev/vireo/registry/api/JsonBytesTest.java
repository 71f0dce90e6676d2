package dev.vireo.registry.api;

import dev.vireo.http.Body;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.oci.MediaTypes;
import dev.vireo.registry.ErrorCode;
import dev.vireo.registry.OciLayout;
import dev.vireo.registry.RegistryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The exact bytes the registry answers and the layout index it rewrites, as first recorded. */
class JsonBytesTest {
    private static final Digest A = Digest.sha256("a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.sha256("b".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    @Test
    void errorAndListBodiesKeepTheirBytes() {
        RegistryException e = new RegistryException(ErrorCode.MANIFEST_BLOB_UNKNOWN, 400, "manifest references blob \"x\"",
                Map.of("digest", A.toString()));
        assertEquals("{\"errors\":[{\"code\":\"MANIFEST_BLOB_UNKNOWN\",\"message\":\"manifest references blob \\\"x\\\"\","
                + "\"detail\":{\"digest\":\"" + A + "\"}}]}", body(Responses.error(e)));
        Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("name", "library/busybox");
        tags.put("tags", List.of("latest", "1.36"));
        assertEquals("{\"name\":\"library/busybox\",\"tags\":[\"latest\",\"1.36\"]}", body(Responses.json(200, tags)));
        assertEquals("{}", body(Responses.json(200, Map.of())));
    }

    @Test
    void layoutIndexKeepsForeignFieldsAndItsOrder() throws IOException {
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + A + "\",\"size\":12,\"platform\":{\"os\":\"linux\"},"
                + "\"annotations\":{\"org.opencontainers.image.ref.name\":\"old\",\"x\":\"y\"}}],"
                + "\"annotations\":{\"n\":1.5,\"big\":123456789012345678901234567890,\"t\":true}}");
        OciLayout layout = OciLayout.open(dir);
        layout.tag("v1", new Descriptor(MediaTypes.OCI_MANIFEST, B, 34));
        layout.tag("old", new Descriptor(MediaTypes.OCI_INDEX, B, 56));
        assertEquals("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + B
                + "\",\"size\":34,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}},{\"mediaType\":\""
                + MediaTypes.OCI_INDEX + "\",\"digest\":\"" + B + "\",\"size\":56,\"annotations\":{\"org.opencontainers.image.ref.name\":\"old\"}}],"
                + "\"annotations\":{\"n\":1.5,\"big\":123456789012345678901234567890,\"t\":true}}",
                Files.readString(dir.resolve("index.json")));
        assertEquals(B, layout.lookup("old").orElseThrow().digest());
        assertEquals(MediaTypes.OCI_INDEX, layout.lookup("old").orElseThrow().mediaType());
    }

    @Test
    void newLayoutIndexKeepsItsBytes() throws IOException {
        OciLayout layout = OciLayout.open(dir);
        layout.tag("v1", new Descriptor(MediaTypes.OCI_MANIFEST, A, 1));
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + A + "\",\"size\":1,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}",
                Files.readString(dir.resolve("index.json")));
    }

    private static String body(dev.vireo.http.Response response) {
        return new String(((Body.Bytes) response.body()).data(), StandardCharsets.UTF_8);
    }
}
