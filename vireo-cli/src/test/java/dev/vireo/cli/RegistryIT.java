package dev.vireo.cli;

import dev.vireo.http.ClientResponse;
import dev.vireo.http.Headers;
import dev.vireo.http.SocketHttpClient;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.oci.MediaTypes;
import dev.vireo.registry.Manifest;
import dev.vireo.registry.OciLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vireo registry, vireo push and vireo pull against clients and servers no one here wrote: skopeo and docker-registry. */
class RegistryIT {
    /** An OCI layout holding one image of {@code layers} random layers, named {@code app}. */
    static Descriptor layout(Path dir, int layers, int size, long seed) throws IOException {
        OciLayout layout = OciLayout.open(dir);
        Random random = new Random(seed);
        StringBuilder layerJson = new StringBuilder();
        for (int i = 0; i < layers; i++) {
            byte[] raw = new byte[size];
            random.nextBytes(raw);
            // Real gzip: skopeo detects a layer's compression and rewrites a manifest that misstates it.
            java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
            try (var gzip = new java.util.zip.GZIPOutputStream(compressed)) {
                gzip.write(raw);
            }
            byte[] data = compressed.toByteArray();
            Digest digest = Digest.sha256(data);
            layout.add(new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, data.length), Files.write(dir.resolve("layer" + i), data));
            if (i > 0) layerJson.append(',');
            layerJson.append("{\"mediaType\":\"").append(MediaTypes.OCI_LAYER_GZIP).append("\",\"digest\":\"").append(digest)
                    .append("\",\"size\":").append(data.length).append('}');
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"seed\":" + seed + "}")
                .getBytes(StandardCharsets.UTF_8);
        Descriptor configDescriptor = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length);
        layout.addManifest(configDescriptor, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + configDescriptor.digest() + "\",\"size\":" + config.length + "},\"layers\":["
                + layerJson + "]}").getBytes(StandardCharsets.UTF_8);
        Descriptor descriptor = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest), manifest.length);
        layout.addManifest(descriptor, manifest);
        layout.tag("app", descriptor);
        return descriptor;
    }

    /** Every blob of the image named {@code name} in {@code copy} equals the one in {@code original}. */
    static void assertSameImage(Path original, Path copy, String name, Descriptor expected) throws IOException {
        OciLayout a = OciLayout.open(original);
        OciLayout b = OciLayout.open(copy);
        Descriptor found = b.lookup(name).orElseThrow(() -> new AssertionError("no " + name + " in " + copy));
        assertEquals(expected.digest(), found.digest(), "manifest digest");
        assertArrayEquals(a.read(expected.digest()), b.read(found.digest()));
        for (Descriptor blob : Manifest.parse(b.read(found.digest()), null).blobs()) {
            assertArrayEquals(a.read(blob.digest()), b.read(blob.digest()), "blob " + blob.digest());
        }
    }

    @Test
    void skopeoPushesToAndPullsFromVireoWithIdenticalDigests(@TempDir Path dir) throws Exception {
        Descriptor image = layout(dir.resolve("src"), 3, 200_000, 1);
        try (Peers.Daemon registry = Peers.vireoRegistry(dir.resolve("root"))) {
            String at = Peers.hostPort(registry);
            Peers.ok("skopeo", "copy", "--dest-tls-verify=false", "oci:" + dir.resolve("src") + ":app", "docker://" + at + "/team/app:v1");
            String inspect = Peers.ok("skopeo", "inspect", "--tls-verify=false", "docker://" + at + "/team/app:v1");
            assertTrue(inspect.contains("\"Digest\": \"" + image.digest() + "\""), inspect);
            Peers.ok("skopeo", "copy", "--src-tls-verify=false", "docker://" + at + "/team/app:v1", "oci:" + dir.resolve("back") + ":app");
            assertSameImage(dir.resolve("src"), dir.resolve("back"), "app", image);
            String tags = Peers.ok("skopeo", "list-tags", "--tls-verify=false", "docker://" + at + "/team/app");
            assertTrue(tags.contains("\"v1\""), tags);
        }
    }

    @Test
    void skopeoNeedsTheRightCredentialsOverTls(@TempDir Path dir) throws Exception {
        Descriptor image = layout(dir.resolve("src"), 2, 50_000, 2);
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Peers.ok("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.toString(), "-out", cert.toString());
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), Peers.ok("htpasswd", "-nbB", "-C", "5", "alice", "s3cret"));
        try (Peers.Daemon registry = Peers.vireoRegistry(dir.resolve("root"), "--htpasswd", htpasswd.toString(),
                "--tls-cert", cert.toString(), "--tls-key", key.toString())) {
            String at = Peers.hostPort(registry);
            Path certs = Files.createDirectories(dir.resolve("certs.d"));
            Files.copy(cert, certs.resolve("ca.crt"));
            String source = "oci:" + dir.resolve("src") + ":app";
            Peers.Result wrong = Peers.run("skopeo", "copy", "--dest-cert-dir", certs.toString(), "--dest-creds", "alice:wrong",
                    source, "docker://" + at + "/secure/app:v1");
            assertNotEquals(0, wrong.exit());
            assertTrue(wrong.output().contains("authentication required") || wrong.output().contains("unauthorized"), wrong.output());
            Peers.ok("skopeo", "copy", "--dest-cert-dir", certs.toString(), "--dest-creds", "alice:s3cret", source, "docker://" + at + "/secure/app:v1");
            Peers.ok("skopeo", "copy", "--src-cert-dir", certs.toString(), "--src-creds", "alice:s3cret",
                    "docker://" + at + "/secure/app:v1", "oci:" + dir.resolve("back") + ":app");
            assertSameImage(dir.resolve("src"), dir.resolve("back"), "app", image);
            // vireo's own client, with the same credentials and CA, and without them
            Peers.ok(Project.VIREO.toString(), "pull", "--layout", dir.resolve("vback").toString(), "--tls-ca", cert.toString(),
                    "--creds", "alice:s3cret", at + "/secure/app:v1");
            assertSameImage(dir.resolve("src"), dir.resolve("vback"), at + "/secure/app:v1", image);
            Peers.Result denied = Peers.run(Project.VIREO.toString(), "pull", "--layout", dir.resolve("denied").toString(),
                    "--tls-ca", cert.toString(), "--creds", "alice:nope", at + "/secure/app:v1");
            assertEquals(1, denied.exit());
            assertTrue(denied.output().contains("refused the credentials"), denied.output());
        }
    }

    @Test
    void vireoAndDockerRegistryExchangeImagesByteForByte(@TempDir Path dir) throws Exception {
        Descriptor image = layout(dir.resolve("src"), 3, 300_000, 3);
        Files.createDirectories(dir.resolve("dr"));
        try (Peers.Daemon reference = Peers.dockerRegistry(dir.resolve("dr"), Peers.freePort());
             Peers.Daemon vireo = Peers.vireoRegistry(dir.resolve("root"))) {
            String dr = reference.lastLine().replaceAll(".*listening on ([0-9.:]+).*", "$1");
            String vr = Peers.hostPort(vireo);
            // vireo push → docker-registry, checked by skopeo
            String pushed = Peers.ok(Project.VIREO.toString(), "push", "--layout", dir.resolve("src").toString(), "app", dr + "/team/app:v1");
            assertTrue(pushed.contains("digest: " + image.digest()), pushed);
            String again = Peers.ok(Project.VIREO.toString(), "push", "--layout", dir.resolve("src").toString(), "app", dr + "/team/app:v1");
            assertTrue(again.contains("Layer already exists"), again);
            assertTrue(Peers.ok("skopeo", "inspect", "--tls-verify=false", "docker://" + dr + "/team/app:v1").contains(image.digest().toString()));
            // docker-registry → vireo registry by skopeo, then vireo pull from vireo registry
            Peers.ok("skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false", "docker://" + dr + "/team/app:v1", "docker://" + vr + "/copy/app:v1");
            Peers.ok(Project.VIREO.toString(), "pull", "--layout", dir.resolve("fromvireo").toString(), vr + "/copy/app:v1");
            assertSameImage(dir.resolve("src"), dir.resolve("fromvireo"), vr + "/copy/app:v1", image);
            // vireo pull from docker-registry, and skopeo pull of what vireo pushed
            Peers.ok(Project.VIREO.toString(), "pull", "--layout", dir.resolve("fromdr").toString(), dr + "/team/app:v1");
            assertSameImage(dir.resolve("src"), dir.resolve("fromdr"), dr + "/team/app:v1", image);
            Peers.ok("skopeo", "copy", "--src-tls-verify=false", "docker://" + dr + "/team/app:v1", "oci:" + dir.resolve("skopeo") + ":app");
            assertSameImage(dir.resolve("src"), dir.resolve("skopeo"), "app", image);
        }
    }

    @Test
    void imageStorePushesToAndPullsFromDockerRegistryAndVireo(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        Peers.ok(Project.ROOT.resolve("scripts/make-busybox-image").toString(), "--quiet", "--root", store.toString());
        Files.createDirectories(dir.resolve("dr"));
        try (Peers.Daemon reference = Peers.dockerRegistry(dir.resolve("dr"), Peers.freePort());
             Peers.Daemon vireo = Peers.vireoRegistry(dir.resolve("root"))) {
            String dr = reference.lastLine().replaceAll(".*listening on ([0-9.:]+).*", "$1");
            String vr = Peers.hostPort(vireo);
            String pushed = Peers.ok(Project.VIREO.toString(), "push", "--root", store.toString(), "busybox", dr + "/lib/busybox:1");
            String digest = pushed.replaceAll("(?s).*digest: (sha256:[0-9a-f]{64}).*", "$1");
            assertTrue(Peers.ok("skopeo", "inspect", "--tls-verify=false", "docker://" + dr + "/lib/busybox:1").contains(digest));
            Path other = dir.resolve("other");
            String pulled = Peers.ok(Project.VIREO.toString(), "pull", "--root", other.toString(), dr + "/lib/busybox:1");
            assertTrue(pulled.contains("Digest: " + digest), pulled);
            String images = Peers.ok(Project.VIREO.toString(), "images", "--root", other.toString());
            assertTrue(images.contains(dr + "/lib/busybox"), images);
            // and on to vireo's registry, then skopeo reads it back unchanged
            Peers.ok(Project.VIREO.toString(), "push", "--root", other.toString(), dr + "/lib/busybox:1", vr + "/lib/busybox:1");
            assertTrue(Peers.ok("skopeo", "inspect", "--tls-verify=false", "docker://" + vr + "/lib/busybox:1").contains(digest));
        }
    }

    private static long blobFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void killedMidUploadTheRegistryServesNothingPartialAndResumes(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("root");
        byte[] blob = new byte[8 * 1024 * 1024];
        new Random(4).nextBytes(blob);
        Digest digest = Digest.sha256(blob);
        String location;
        String monolithicAt;
        try (Peers.Daemon registry = Peers.vireoRegistry(root)) {
            String at = Peers.hostPort(registry);
            location = startUpload(at);
            // A PATCH and a monolithic POST both cut off halfway: the process dies with them in flight.
            Socket patch = sendHalf(at, "PATCH " + location + " HTTP/1.1", blob);
            monolithicAt = at;
            Socket post = sendHalf(at, "POST /v2/app/blobs/uploads/?digest=" + digest + " HTTP/1.1", blob);
            awaitUploadBytes(root, 2);
            registry.kill9();
            patch.close();
            post.close();
        }
        assertEquals(0, blobFiles(root), "no blob exists after the crash");
        try (Peers.Daemon registry = Peers.vireoRegistry(root)) {
            SocketHttpClient http = client(Peers.hostPort(registry));
            assertNotEquals(null, monolithicAt);
            try (ClientResponse head = http.send("HEAD", "/v2/app/blobs/" + digest, new Headers())) {
                assertEquals(404, head.status());
            }
            try (ClientResponse get = http.send("GET", "/v2/app/blobs/" + digest, new Headers())) {
                assertEquals(404, get.status());
            }
            // The interrupted session survived: its status says how far it got, and the rest completes it.
            int have;
            try (ClientResponse status = http.send("GET", location, new Headers())) {
                assertEquals(204, status.status());
                have = Integer.parseInt(status.header("Range").substring(2)) + 1;
            }
            assertTrue(have > 0 && have < blob.length, "kept " + have);
            ClientResponse rest = http.send("PATCH", location, Headers.of("Content-Range", have + "-" + (blob.length - 1)),
                    java.util.Arrays.copyOfRange(blob, have, blob.length));
            assertEquals(202, rest.status(), rest.bodyText());
            assertEquals(201, http.send("PUT", location + "?digest=" + digest, new Headers(), new byte[0]).status());
            assertArrayEquals(blob, http.send("GET", "/v2/app/blobs/" + digest, new Headers()).bodyBytes());
        }
    }

    private static SocketHttpClient client(String at) {
        String[] hostPort = at.split(":");
        return SocketHttpClient.tcp(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    private static String startUpload(String at) throws IOException {
        try (ClientResponse post = client(at).send("POST", "/v2/app/blobs/uploads/", new Headers(), new byte[0])) {
            return post.header("Location");
        }
    }

    /** Opens a request declaring all of {@code blob} and sends only its first half. */
    private static Socket sendHalf(String at, String requestLine, byte[] blob) throws IOException {
        String[] hostPort = at.split(":");
        Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
        OutputStream out = socket.getOutputStream();
        out.write((requestLine + "\r\nHost: " + at + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + blob.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(blob, 0, blob.length / 2);
        out.flush();
        return socket;
    }

    /** Waits until {@code sessions} upload files have each received more than 1 MiB (written through, not buffered). */
    private static void awaitUploadBytes(Path root, int sessions) throws IOException, InterruptedException {
        for (int i = 0; i < 600; i++) {
            List<Long> sizes = new ArrayList<>();
            try (Stream<Path> uploads = Files.list(root.resolve("uploads"))) {
                for (Path session : uploads.toList()) {
                    Path data = session.resolve("data");
                    if (Files.exists(data)) sizes.add(Files.size(data));
                }
            }
            if (sizes.stream().filter(s -> s > 1024 * 1024).count() >= sessions) return;
            Thread.sleep(50); // polling a file's size: there is no event to wait for across processes
        }
        throw new AssertionError("uploads never reached the registry's disk");
    }

    @Test
    void garbageCollectionWhileServingKeepsEveryReferencedBlob(@TempDir Path dir) throws Exception {
        Descriptor image = layout(dir.resolve("src"), 2, 100_000, 5);
        Path root = dir.resolve("root");
        try (Peers.Daemon registry = Peers.vireoRegistry(root)) {
            String at = Peers.hostPort(registry);
            Peers.ok(Project.VIREO.toString(), "push", "--layout", dir.resolve("src").toString(), "app", at + "/app:v1");
            byte[] orphan = "an unreferenced blob".getBytes(StandardCharsets.UTF_8);
            assertEquals(201, client(at).send("POST", "/v2/app/blobs/uploads/?digest=" + Digest.sha256(orphan), new Headers(), orphan).status());
            assertEquals(5, blobFiles(root), "two layers, the config, the manifest and the orphan");
            String kept = Peers.ok(Project.VIREO.toString(), "registry", "gc", "--root", root.toString());
            assertTrue(kept.startsWith("removed 0 blobs"), kept);
            String collected = Peers.ok(Project.VIREO.toString(), "registry", "gc", "--root", root.toString(), "--grace", "0");
            assertTrue(collected.startsWith("removed 1 blobs (20 bytes)"), collected);
            Peers.ok(Project.VIREO.toString(), "pull", "--layout", dir.resolve("back").toString(), at + "/app:v1");
            assertSameImage(dir.resolve("src"), dir.resolve("back"), at + "/app:v1", image);
        }
    }

    @Test
    void badInputIsOneLineAndExitStatusTwo(@TempDir Path dir) throws Exception {
        Peers.Result result = Peers.run(Project.VIREO.toString(), "pull", "--layout", dir.toString(), "127.0.0.1:1/Bad/Name:v1");
        assertEquals(2, result.exit());
        assertEquals(1, result.output().strip().lines().count(), result.output());
        Peers.Result noImage = Peers.run(Project.VIREO.toString(), "push", "--root", dir.resolve("store").toString(), "app", "127.0.0.1:1/app:v1");
        assertEquals(2, noImage.exit());
        assertEquals("vireo push: no local image named app", noImage.output().strip());
        Peers.Result twoSides = Peers.run(Project.VIREO.toString(), "pull", "--root", dir.toString(), "--layout", dir.toString(), "127.0.0.1:1/app:v1");
        assertEquals(2, twoSides.exit());
        Peers.Result listen = Peers.run(Project.VIREO.toString(), "registry", "serve", "--listen", "nowhere");
        assertEquals(2, listen.exit());
    }
}
