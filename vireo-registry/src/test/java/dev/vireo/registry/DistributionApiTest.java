package dev.vireo.registry;

import dev.vireo.oci.Digest;
import dev.vireo.oci.MediaTypes;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistributionApiTest {
    @TempDir
    Path root;
    private RegistryServer server;
    private RegistryFixture registry;

    @BeforeEach
    void start() throws IOException {
        server = RegistryServer.start(RegistryServer.Config.of(root, new InetSocketAddress("127.0.0.1", 0)).withMaxManifestBytes(64 * 1024));
        registry = new RegistryFixture(server.url(), null);
    }

    @AfterEach
    void stop() {
        server.close();
        registry.http.close();
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), response.body());
        if (response.request().method().equals("HEAD")) return; // a HEAD answer has the status and no body
        assertTrue(response.body().startsWith("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\""), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    }

    private long storedBlobFiles() throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void baseEndpointAnswersWithTheApiVersion() throws Exception {
        HttpResponse<String> response = registry.get("/v2/");
        assertEquals(200, response.statusCode());
        assertEquals("registry/2.0", response.headers().firstValue("Docker-Distribution-API-Version").orElseThrow());
    }

    @Test
    void storesAMonolithicUploadAndServesItWithRanges() throws Exception {
        byte[] data = RegistryFixture.random(100_000, 1);
        Digest digest = registry.pushBlob("lib/app", data);
        HttpResponse<String> head = registry.head("/v2/lib/app/blobs/" + digest);
        assertEquals(200, head.statusCode());
        assertEquals("100000", head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(digest.toString(), head.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertArrayEquals(data, registry.sendBytes(registry.request("/v2/lib/app/blobs/" + digest)).body());
        HttpResponse<byte[]> part = registry.sendBytes(registry.request("/v2/lib/app/blobs/" + digest).header("Range", "bytes=10-19"));
        assertEquals(206, part.statusCode());
        assertEquals("bytes 10-19/100000", part.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(data, 10, 20), part.body());
        HttpResponse<byte[]> tail = registry.sendBytes(registry.request("/v2/lib/app/blobs/" + digest).header("Range", "bytes=99990-"));
        assertArrayEquals(Arrays.copyOfRange(data, 99990, 100000), tail.body());
        assertEquals(416, registry.sendBytes(registry.request("/v2/lib/app/blobs/" + digest).header("Range", "bytes=200000-")).statusCode());
        assertError(registry.get("/v2/other/blobs/" + digest), 404, "BLOB_UNKNOWN");
    }

    @Test
    void uploadsWithPostThenPut() throws Exception {
        byte[] data = RegistryFixture.random(3000, 2);
        HttpResponse<String> post = registry.send(registry.request("/v2/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(202, post.statusCode());
        String location = post.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("/v2/app/blobs/uploads/"), location);
        Digest digest = Digest.sha256(data);
        HttpResponse<String> put = registry.send(registry.request(location + "?digest=" + digest).PUT(HttpRequest.BodyPublishers.ofByteArray(data)));
        assertEquals(201, put.statusCode(), put.body());
        assertEquals("/v2/app/blobs/" + digest, put.headers().firstValue("Location").orElseThrow());
        assertArrayEquals(data, registry.sendBytes(registry.request("/v2/app/blobs/" + digest)).body());
    }

    @Test
    void uploadsChunksInOrderAndRefusesOutOfOrderRanges() throws Exception {
        byte[] data = RegistryFixture.random(10_000, 3);
        String location = registry.send(registry.request("/v2/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()))
                .headers().firstValue("Location").orElseThrow();
        HttpResponse<String> first = registry.send(registry.request(location).header("Content-Range", "0-3999")
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(data, 0, 4000))));
        assertEquals(202, first.statusCode(), first.body());
        assertEquals("0-3999", first.headers().firstValue("Range").orElseThrow());
        HttpResponse<String> skipped = registry.send(registry.request(location).header("Content-Range", "5000-9999")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(data, 5000, 10000))));
        assertError(skipped, 416, "BLOB_UPLOAD_INVALID");
        assertEquals("0-3999", skipped.headers().firstValue("Range").orElseThrow());
        HttpResponse<String> status = registry.get(location);
        assertEquals(204, status.statusCode());
        assertEquals("0-3999", status.headers().firstValue("Range").orElseThrow());
        HttpResponse<String> second = registry.send(registry.request(location).header("Content-Range", "4000-9999")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(data, 4000, 10000))));
        assertEquals("0-9999", second.headers().firstValue("Range").orElseThrow());
        Digest digest = Digest.sha256(data);
        assertEquals(201, registry.send(registry.request(location + "?digest=" + digest).PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
        assertArrayEquals(data, registry.sendBytes(registry.request("/v2/app/blobs/" + digest)).body());
        assertError(registry.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void acceptsStreamedPatchesWithoutContentRange() throws Exception {
        byte[] data = RegistryFixture.random(70_000, 4);
        String location = registry.send(registry.request("/v2/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()))
                .headers().firstValue("Location").orElseThrow();
        HttpResponse<String> patch = registry.send(registry.request(location)
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(data))));
        assertEquals(202, patch.statusCode(), patch.body());
        Digest digest = Digest.sha256(data);
        assertEquals(201, registry.send(registry.request(location + "?digest=" + digest).PUT(HttpRequest.BodyPublishers.noBody())).statusCode());
    }

    @Test
    void cancelsUploadsAndRefusesUnknownOnes() throws Exception {
        String location = registry.send(registry.request("/v2/app/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()))
                .headers().firstValue("Location").orElseThrow();
        assertEquals(204, registry.send(registry.request(location).DELETE()).statusCode());
        assertError(registry.get(location), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(registry.send(registry.request("/v2/app/blobs/uploads/6f1a2b3c-0000-4000-8000-000000000000")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("x"))), 404, "BLOB_UPLOAD_UNKNOWN");
        assertError(registry.send(registry.request("/v2/app/blobs/uploads/..%2F..%2Fetc").DELETE()), 404, "BLOB_UPLOAD_UNKNOWN");
        String other = registry.send(registry.request("/v2/one/blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()))
                .headers().firstValue("Location").orElseThrow();
        assertError(registry.get(other.replace("/v2/one/", "/v2/two/")), 404, "BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void refusesContentThatDoesNotMatchItsDigestAndStoresNothing() throws Exception {
        byte[] data = RegistryFixture.random(5000, 5);
        Digest wrong = Digest.sha256("something else".getBytes(StandardCharsets.UTF_8));
        assertError(registry.send(registry.request("/v2/app/blobs/uploads/?digest=" + wrong).POST(HttpRequest.BodyPublishers.ofByteArray(data))),
                400, "DIGEST_INVALID");
        assertError(registry.head("/v2/app/blobs/" + wrong), 404, "BLOB_UNKNOWN");
        assertEquals(0, storedBlobFiles());
        try (Stream<Path> uploads = Files.list(root.resolve("uploads"))) {
            assertEquals(0, uploads.count(), "the failed upload is discarded");
        }
    }

    @Test
    void refusesInvalidNamesAndDigests() throws Exception {
        assertError(registry.get("/v2/Upper/Case/tags/list"), 400, "NAME_INVALID");
        assertError(registry.get("/v2/a..b/blobs/sha256:" + "0".repeat(64)), 400, "NAME_INVALID");
        assertError(registry.get("/v2/app/blobs/sha256:1234"), 400, "DIGEST_INVALID");
        assertError(registry.get("/v2/app/blobs/md5:" + "0".repeat(32)), 400, "DIGEST_INVALID");
        assertError(registry.send(registry.request("/v2/app/blobs/uploads/?digest=sha256:XYZ").POST(HttpRequest.BodyPublishers.ofString("x"))),
                400, "DIGEST_INVALID");
        assertEquals(0, storedBlobFiles());
    }

    @Test
    void mountsBlobsAcrossRepositoriesOrFallsBackToAnUpload() throws Exception {
        Digest digest = registry.pushBlob("source", RegistryFixture.random(1000, 6));
        HttpResponse<String> mounted = registry.send(registry.request("/v2/target/blobs/uploads/?mount=" + digest + "&from=source")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(201, mounted.statusCode());
        assertEquals("/v2/target/blobs/" + digest, mounted.headers().firstValue("Location").orElseThrow());
        assertEquals(200, registry.head("/v2/target/blobs/" + digest).statusCode());
        HttpResponse<String> fallback = registry.send(registry.request("/v2/third/blobs/uploads/?mount=" + digest + "&from=nowhere")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(202, fallback.statusCode());
        assertTrue(fallback.headers().firstValue("Location").orElseThrow().startsWith("/v2/third/blobs/uploads/"));
    }

    @Test
    void servesManifestsByTagAndDigestWithNegotiation() throws Exception {
        byte[] manifest = registry.pushImage("lib/app", "v1", 7);
        Digest digest = Digest.sha256(manifest);
        HttpResponse<byte[]> byTag = registry.sendBytes(registry.request("/v2/lib/app/manifests/v1").header("Accept", String.join(",", MediaTypes.MANIFEST_TYPES)));
        assertEquals(200, byTag.statusCode());
        assertArrayEquals(manifest, byTag.body());
        assertEquals(MediaTypes.OCI_MANIFEST, byTag.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(digest.toString(), byTag.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertArrayEquals(manifest, registry.sendBytes(registry.request("/v2/lib/app/manifests/" + digest)).body());
        HttpResponse<String> head = registry.head("/v2/lib/app/manifests/v1");
        assertEquals(String.valueOf(manifest.length), head.headers().firstValue("Content-Length").orElseThrow());
        assertError(registry.send(registry.request("/v2/lib/app/manifests/v1").header("Accept", MediaTypes.DOCKER_MANIFEST)), 404, "MANIFEST_UNKNOWN");
        assertEquals(200, registry.send(registry.request("/v2/lib/app/manifests/" + digest).header("Accept", MediaTypes.DOCKER_MANIFEST)).statusCode());
        assertError(registry.get("/v2/lib/app/manifests/v2"), 404, "MANIFEST_UNKNOWN");
    }

    private HttpResponse<String> putManifest(String repository, String reference, String contentType, byte[] body) throws Exception {
        return registry.send(registry.request("/v2/" + repository + "/manifests/" + reference).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    @Test
    void refusesManifestsThatReferenceMissingBlobsAndStoresNothing() throws Exception {
        Digest config = registry.pushBlob("app", "{}".getBytes(StandardCharsets.UTF_8));
        Digest missing = Digest.sha256("not pushed".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = RegistryFixture.manifestJson(MediaTypes.OCI_MANIFEST, config, 2, List.of(missing), List.of(10L)).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = putManifest("app", "v1", MediaTypes.OCI_MANIFEST, manifest);
        assertError(response, 400, "MANIFEST_BLOB_UNKNOWN");
        assertTrue(response.body().contains(missing.toString()));
        assertError(registry.get("/v2/app/manifests/v1"), 404, "MANIFEST_UNKNOWN");
        assertError(registry.get("/v2/app/manifests/" + Digest.sha256(manifest)), 404, "MANIFEST_UNKNOWN");
        assertEquals(1, storedBlobFiles(), "only the config blob is stored");
    }

    @Test
    void refusesMalformedManifests() throws Exception {
        for (String body : List.of("not json", "[]", "{\"schemaVersion\":1}", "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\"}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:zz\",\"size\":1},\"layers\":[]}")) {
            assertError(putManifest("app", "v1", MediaTypes.OCI_MANIFEST, body.getBytes(StandardCharsets.UTF_8)), 400, "MANIFEST_INVALID");
        }
        byte[] mismatch = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST + "\",\"config\":{},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        assertError(putManifest("app", "v1", MediaTypes.OCI_MANIFEST, mismatch), 400, "MANIFEST_INVALID");
        assertError(putManifest("app", "bad:tag!", MediaTypes.OCI_MANIFEST, "{}".getBytes(StandardCharsets.UTF_8)), 400, "DIGEST_INVALID");
        assertError(registry.get("/v2/app/manifests/v1"), 404, "MANIFEST_UNKNOWN");
        assertEquals(0, storedBlobFiles());
    }

    @Test
    void refusesOversizedManifests() throws Exception {
        byte[] big = ("{\"schemaVersion\":2,\"annotations\":{\"x\":\"" + "a".repeat(70 * 1024) + "\"}}").getBytes(StandardCharsets.UTF_8);
        assertError(putManifest("app", "v1", MediaTypes.OCI_MANIFEST, big), 413, "MANIFEST_INVALID");
        assertEquals(0, storedBlobFiles());
    }

    @Test
    void refusesAManifestPutUnderAnotherDigest() throws Exception {
        Digest config = registry.pushBlob("app", "{}".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = RegistryFixture.manifestJson(MediaTypes.OCI_MANIFEST, config, 2, List.of(), List.of()).getBytes(StandardCharsets.UTF_8);
        assertError(putManifest("app", Digest.sha256(new byte[1]).toString(), MediaTypes.OCI_MANIFEST, manifest), 400, "DIGEST_INVALID");
        HttpResponse<String> right = putManifest("app", Digest.sha256(manifest).toString(), MediaTypes.OCI_MANIFEST, manifest);
        assertEquals(201, right.statusCode());
    }

    @Test
    void acceptsDockerSchema2AndIndexesWhoseManifestsExist() throws Exception {
        Digest config = registry.pushBlob("app", "{}".getBytes(StandardCharsets.UTF_8));
        byte[] manifest = RegistryFixture.manifestJson(MediaTypes.DOCKER_MANIFEST, config, 2, List.of(), List.of()).getBytes(StandardCharsets.UTF_8);
        Digest manifestDigest = Digest.sha256(manifest);
        String list = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_MANIFEST_LIST + "\",\"manifests\":[{\"mediaType\":\""
                + MediaTypes.DOCKER_MANIFEST + "\",\"digest\":\"" + manifestDigest + "\",\"size\":" + manifest.length
                + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
        assertError(putManifest("app", "multi", MediaTypes.DOCKER_MANIFEST_LIST, list.getBytes(StandardCharsets.UTF_8)), 400, "MANIFEST_BLOB_UNKNOWN");
        assertEquals(201, putManifest("app", manifestDigest.toString(), MediaTypes.DOCKER_MANIFEST, manifest).statusCode());
        assertEquals(201, putManifest("app", "multi", MediaTypes.DOCKER_MANIFEST_LIST, list.getBytes(StandardCharsets.UTF_8)).statusCode());
        HttpResponse<String> got = registry.send(registry.request("/v2/app/manifests/multi").header("Accept", MediaTypes.DOCKER_MANIFEST_LIST));
        assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, got.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void paginatesTagsAndTheCatalog() throws Exception {
        for (String tag : List.of("c", "a", "e", "b", "d")) registry.pushImage("app", tag, 8);
        registry.pushImage("other/one", "x", 9);
        HttpResponse<String> first = registry.get("/v2/app/tags/list?n=2");
        assertEquals("{\"name\":\"app\",\"tags\":[\"a\",\"b\"]}", first.body());
        assertEquals("</v2/app/tags/list?n=2&last=b>; rel=\"next\"", first.headers().firstValue("Link").orElseThrow());
        HttpResponse<String> last = registry.get("/v2/app/tags/list?n=2&last=d");
        assertEquals("{\"name\":\"app\",\"tags\":[\"e\"]}", last.body());
        assertTrue(last.headers().firstValue("Link").isEmpty());
        assertEquals("{\"name\":\"app\",\"tags\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", registry.get("/v2/app/tags/list").body());
        assertEquals("{\"repositories\":[\"app\"]}", registry.get("/v2/_catalog?n=1").body());
        assertEquals("{\"repositories\":[\"other/one\"]}", registry.get("/v2/_catalog?n=1&last=app").body());
        assertError(registry.get("/v2/nothing/tags/list"), 404, "NAME_UNKNOWN");
    }

    @Test
    void listsReferrersOfASubjectFilteredByArtifactType() throws Exception {
        byte[] subject = registry.pushImage("app", "v1", 10);
        Digest subjectDigest = Digest.sha256(subject);
        Digest empty = registry.pushBlob("app", "{}".getBytes(StandardCharsets.UTF_8));
        for (String type : List.of("application/vnd.example.sbom", "application/vnd.example.signature")) {
            String artifact = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\"" + type
                    + "\",\"config\":{\"mediaType\":\"" + MediaTypes.OCI_EMPTY + "\",\"digest\":\"" + empty + "\",\"size\":2},\"layers\":[],"
                    + "\"subject\":{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + subjectDigest + "\",\"size\":" + subject.length + "}}";
            byte[] bytes = artifact.getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> put = putManifest("app", Digest.sha256(bytes).toString(), MediaTypes.OCI_MANIFEST, bytes);
            assertEquals(subjectDigest.toString(), put.headers().firstValue("OCI-Subject").orElseThrow());
        }
        HttpResponse<String> all = registry.get("/v2/app/referrers/" + subjectDigest);
        assertEquals(MediaTypes.OCI_INDEX, all.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(all.body().contains("sbom") && all.body().contains("signature"), all.body());
        HttpResponse<String> sboms = registry.get("/v2/app/referrers/" + subjectDigest + "?artifactType=application/vnd.example.sbom");
        assertTrue(sboms.body().contains("sbom") && !sboms.body().contains("signature"), sboms.body());
        assertEquals("artifactType", sboms.headers().firstValue("OCI-Filters-Applied").orElseThrow());
        assertEquals("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}",
                registry.get("/v2/app/referrers/" + Digest.sha256(new byte[0])).body());
    }

    @Test
    void deletesManifestsTagsAndBlobs() throws Exception {
        byte[] manifest = registry.pushImage("app", "v1", 11);
        Digest digest = Digest.sha256(manifest);
        registry.send(registry.request("/v2/app/manifests/v2").header("Content-Type", MediaTypes.OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        assertEquals(202, registry.send(registry.request("/v2/app/manifests/v2").DELETE()).statusCode());
        assertEquals("{\"name\":\"app\",\"tags\":[\"v1\"]}", registry.get("/v2/app/tags/list").body());
        assertEquals(202, registry.send(registry.request("/v2/app/manifests/" + digest).DELETE()).statusCode());
        assertError(registry.get("/v2/app/manifests/v1"), 404, "MANIFEST_UNKNOWN");
        assertError(registry.send(registry.request("/v2/app/manifests/" + digest).DELETE()), 404, "MANIFEST_UNKNOWN");
        Digest blob = registry.pushBlob("app", new byte[] {1, 2, 3});
        assertEquals(202, registry.send(registry.request("/v2/app/blobs/" + blob).DELETE()).statusCode());
        assertError(registry.head("/v2/app/blobs/" + blob), 404, "BLOB_UNKNOWN");
    }

    @Test
    void concurrentPushesOfOneBlobStoreItOnce() throws Exception {
        byte[] data = RegistryFixture.random(2 * 1024 * 1024, 12);
        List<Callable<Digest>> pushes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String repository = "repo" + (i % 2);
            pushes.add(() -> registry.pushBlob(repository, data));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Digest> push : pool.invokeAll(pushes)) assertEquals(Digest.sha256(data), push.get());
        }
        assertEquals(1, storedBlobFiles());
        assertArrayEquals(data, registry.sendBytes(registry.request("/v2/repo1/blobs/" + Digest.sha256(data))).body());
        try (Stream<Path> tmp = Files.list(root.resolve("tmp")); Stream<Path> uploads = Files.list(root.resolve("uploads"))) {
            assertEquals(0, tmp.count() + uploads.count(), "no temporary files are left behind");
        }
    }

    @Test
    void collectsUnreferencedBlobsButKeepsReferencedAndRecentOnes() throws Exception {
        byte[] manifest = registry.pushImage("app", "v1", 13);
        Digest orphan = registry.pushBlob("app", RegistryFixture.random(4096, 14));
        GarbageCollector.Result recent = GarbageCollector.collect(root, java.time.Duration.ofHours(1), false);
        assertEquals(0, recent.blobsRemoved(), "everything is younger than the grace period");
        ageStoredFiles();
        GarbageCollector.Result dry = GarbageCollector.collect(root, java.time.Duration.ofHours(1), true);
        assertEquals(1, dry.blobsRemoved());
        assertEquals(200, registry.head("/v2/app/blobs/" + orphan).statusCode(), "a dry run removes nothing");
        ageStoredFiles();
        GarbageCollector.Result result = GarbageCollector.collect(root, java.time.Duration.ofHours(1), false);
        assertEquals(1, result.blobsRemoved());
        assertEquals(4096, result.bytesRemoved());
        assertEquals(3, result.blobsKept());
        assertError(registry.head("/v2/app/blobs/" + orphan), 404, "BLOB_UNKNOWN");
        assertArrayEquals(manifest, registry.sendBytes(registry.request("/v2/app/manifests/v1")).body());
    }

    /**
     * Makes everything stored two hours old: older than the grace period by the clock, not by the
     * test waiting (a collection in the millisecond of a push or a read keeps the blob, as it should).
     */
    private void ageStoredFiles() throws IOException {
        FileTime twoHoursAgo = FileTime.from(Instant.now().minus(java.time.Duration.ofHours(2)));
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) Files.setLastModifiedTime(file, twoHoursAgo);
        }
    }
}
