package dev.vireo.registry;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.MediaTypes;

import dev.vireo.oci.Digest;

import dev.vireo.http.Handler;
import dev.vireo.http.HttpServer;
import dev.vireo.http.Request;
import dev.vireo.http.Response;
import dev.vireo.registry.api.DistributionApi;
import dev.vireo.registry.storage.Storage;
import dev.vireo.registry.storage.Uploads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegistryClientTest {
    /** Writes a small image (config and {@code layers} random layers) into a layout under {@code name}. */
    static Descriptor image(OciLayout layout, String name, int layers, int layerSize, long seed) throws IOException {
        List<Digest> digests = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            byte[] layer = RegistryFixture.random(layerSize, seed + i);
            Digest digest = Digest.sha256(layer);
            Path file = Files.write(layout.directory().resolve("tmp-" + i), layer);
            layout.add(new Descriptor(MediaTypes.OCI_LAYER_GZIP, digest, layer.length), file);
            digests.add(digest);
            sizes.add((long) layer.length);
        }
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}").getBytes(StandardCharsets.UTF_8);
        Descriptor configDescriptor = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length);
        layout.addManifest(configDescriptor, config);
        byte[] manifest = RegistryFixture.manifestJson(MediaTypes.OCI_MANIFEST, configDescriptor.digest(), config.length, digests, sizes)
                .getBytes(StandardCharsets.UTF_8);
        Descriptor descriptor = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest), manifest.length);
        layout.addManifest(descriptor, manifest);
        layout.tag(name, descriptor);
        return descriptor;
    }

    private static final class Recorder implements TransferProgress {
        final Map<Digest, List<State>> states = new ConcurrentHashMap<>();

        @Override
        public void update(Digest digest, State state, long done, long total) {
            List<State> list = states.computeIfAbsent(digest, d -> Collections.synchronizedList(new ArrayList<>()));
            if (list.isEmpty() || list.getLast() != state) list.add(state);
        }

        long count(State state) {
            return states.values().stream().filter(l -> l.contains(state)).count();
        }
    }

    private static RegistryClient.Options plain() {
        return RegistryClient.Options.defaults().withPlainHttp(true);
    }

    private static String hostPort(HttpServer server) {
        return "127.0.0.1:" + server.port();
    }

    /** A registry whose handler a test can wrap. */
    private static HttpServer serve(Path root, java.util.function.UnaryOperator<Handler> wrap) throws IOException {
        Storage storage = new Storage(root);
        Handler api = new DistributionApi(storage, new Uploads(storage), null, RegistryServer.DEFAULT_MAX_MANIFEST_BYTES);
        return HttpServer.start(new InetSocketAddress("127.0.0.1", 0), wrap.apply(api));
    }

    @Test
    void pushesAndPullsAnImageByteForByteAndSkipsWhatTheOtherSideHas(@TempDir Path dir) throws Exception {
        OciLayout source = OciLayout.open(dir.resolve("source"));
        Descriptor manifest = image(source, "app:v1", 4, 300_000, 1);
        try (HttpServer server = serve(dir.resolve("registry"), h -> h);
             RegistryClient client = RegistryClient.connect(hostPort(server), plain())) {
            Recorder first = new Recorder();
            client.push(source, manifest, "team/app", "v1", null, first);
            assertEquals(5, first.count(TransferProgress.State.DONE));
            Recorder second = new Recorder();
            client.push(source, manifest, "team/app", "v2", null, second);
            assertEquals(5, second.count(TransferProgress.State.EXISTS), "a second push sends no blob");
            Recorder mounted = new Recorder();
            client.push(source, manifest, "other/app", "v1", "team/app", mounted);
            assertEquals(5, mounted.count(TransferProgress.State.MOUNTED));

            OciLayout target = OciLayout.open(dir.resolve("target"));
            Descriptor pulled = client.pull("team/app", "v2", target, TransferProgress.NONE);
            assertEquals(manifest, pulled);
            assertArrayEquals(source.read(manifest.digest()), target.read(pulled.digest()));
            Manifest parsed = Manifest.parse(target.read(pulled.digest()), null);
            for (Descriptor blob : parsed.blobs()) assertArrayEquals(source.read(blob.digest()), target.read(blob.digest()));
            Recorder again = new Recorder();
            client.pull("team/app", manifest.digest().toString(), target, again);
            assertEquals(5, again.count(TransferProgress.State.EXISTS));
        }
    }

    @Test
    void pushesAnIndexWithItsManifestsAndPullsThisPlatformsImage(@TempDir Path dir) throws Exception {
        OciLayout source = OciLayout.open(dir.resolve("source"));
        Descriptor amd64 = image(source, "amd64", 2, 20_000, 10);
        Descriptor arm64 = image(source, "arm64", 2, 20_000, 20);
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + arm64.digest() + "\",\"size\":" + arm64.size()
                + ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
                + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + amd64.digest() + "\",\"size\":" + amd64.size()
                + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}").getBytes(StandardCharsets.UTF_8);
        Descriptor indexDescriptor = new Descriptor(MediaTypes.OCI_INDEX, Digest.sha256(index), index.length);
        source.addManifest(indexDescriptor, index);
        try (HttpServer server = serve(dir.resolve("registry"), h -> h);
             RegistryClient client = RegistryClient.connect(hostPort(server), plain())) {
            client.push(source, indexDescriptor, "multi", "v1", null, TransferProgress.NONE);
            OciLayout target = OciLayout.open(dir.resolve("target"));
            Recorder progress = new Recorder();
            Descriptor pulled = client.pull("multi", "v1", target, progress);
            assertEquals(indexDescriptor, pulled);
            assertArrayEquals(index, target.read(pulled.digest()));
            Manifest chosen = Manifest.parse(target.read(amd64.digest()), null);
            for (Descriptor blob : chosen.blobs()) assertArrayEquals(source.read(blob.digest()), target.read(blob.digest()));
            assertEquals(3, progress.states.size(), "only this platform's config and layers are pulled");
            assertEquals(-1, target.size(arm64.digest()));
        }
    }

    @Test
    void resumesADownloadFromItsPartialFile(@TempDir Path dir) throws Exception {
        OciLayout source = OciLayout.open(dir.resolve("source"));
        Descriptor manifest = image(source, "app:v1", 1, 1_000_000, 2);
        Digest layer = Manifest.parse(source.read(manifest.digest()), null).layers().getFirst().digest();
        List<String> ranges = Collections.synchronizedList(new ArrayList<>());
        try (HttpServer server = serve(dir.resolve("registry"), api -> request -> {
            if (request.path().endsWith("/blobs/" + layer) && request.header("Range") != null) ranges.add(request.header("Range"));
            return api.handle(request);
        }); RegistryClient client = RegistryClient.connect(hostPort(server), plain())) {
            client.push(source, manifest, "app", "v1", null, TransferProgress.NONE);
            OciLayout target = OciLayout.open(dir.resolve("target"));
            byte[] content = source.read(layer);
            Files.write(target.partial(layer), java.util.Arrays.copyOf(content, 400_000));
            client.pull("app", "v1", target, TransferProgress.NONE);
            assertEquals(List.of("bytes=400000-"), ranges);
            assertArrayEquals(content, target.read(layer));
            assertFalse(Files.exists(target.partial(layer)));
        }
    }

    @Test
    void refusesADownloadWhoseContentDoesNotMatchItsDigest(@TempDir Path dir) throws Exception {
        OciLayout source = OciLayout.open(dir.resolve("source"));
        Descriptor manifest = image(source, "app:v1", 1, 10_000, 3);
        Digest layer = Manifest.parse(source.read(manifest.digest()), null).layers().getFirst().digest();
        try (HttpServer server = serve(dir.resolve("registry"), api -> request -> {
            if (request.method().equals("GET") && request.path().endsWith("/blobs/" + layer)) {
                return Response.of(200, "application/octet-stream", new byte[10_000]);
            }
            return api.handle(request);
        }); RegistryClient client = RegistryClient.connect(hostPort(server), plain())) {
            client.push(source, manifest, "app", "v1", null, TransferProgress.NONE);
            OciLayout target = OciLayout.open(dir.resolve("target"));
            IOException e = assertThrows(IOException.class, () -> client.pull("app", "v1", target, TransferProgress.NONE));
            assertTrue(e.getMessage().contains("does not match") || e.getMessage().contains("has digest"), e.getMessage());
            assertEquals(-1, target.size(layer), "nothing unverified is added");
            assertTrue(target.lookup("app:v1").isEmpty());
        }
    }

    @Test
    void resumesAnUploadWhoseConnectionBroke(@TempDir Path dir) throws Exception {
        OciLayout source = OciLayout.open(dir.resolve("source"));
        Descriptor manifest = image(source, "app:v1", 1, 3_000_000, 4);
        AtomicBoolean broken = new AtomicBoolean();
        List<String> ranges = Collections.synchronizedList(new ArrayList<>());
        try (HttpServer server = serve(dir.resolve("registry"), api -> request -> {
            if (request.method().equals("PATCH") && request.header("Content-Range").endsWith("-2999999")) {
                ranges.add(request.header("Content-Range"));
                if (broken.compareAndSet(false, true)) return api.handle(cutAfter(request, 2_500_000));
            }
            return api.handle(request);
        }); RegistryClient client = RegistryClient.connect(hostPort(server), plain())) {
            Recorder progress = new Recorder();
            client.push(source, manifest, "app", "v1", null, progress);
            assertEquals("0-2999999", ranges.getFirst());
            assertEquals(2, ranges.size(), ranges.toString());
            assertTrue(ranges.get(1).matches("\\d+-2999999") && !ranges.get(1).startsWith("0-"), ranges.toString());
            assertEquals(1, progress.count(TransferProgress.State.RETRYING));
            OciLayout target = OciLayout.open(dir.resolve("target"));
            client.pull("app", "v1", target, TransferProgress.NONE);
            Digest layer = Manifest.parse(source.read(manifest.digest()), null).layers().getFirst().digest();
            assertArrayEquals(source.read(layer), target.read(layer));
        }
    }

    /** The request with a body that fails after {@code limit} bytes, as a connection that broke would. */
    private static Request cutAfter(Request request, long limit) {
        InputStream cut = new FilterInputStream(request.body()) {
            long seen;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (seen >= limit) throw new IOException("connection reset (test)");
                int n = super.read(b, off, (int) Math.min(len, limit - seen));
                if (n > 0) seen += n;
                return n;
            }
        };
        return new Request(request.method(), request.target(), request.version(), request.headers(), cut, false);
    }

    @Test
    void authenticatesWithBearerTokensFromTheChallengeRealm(@TempDir Path dir) throws Exception {
        OciLayout source = OciLayout.open(dir.resolve("source"));
        Descriptor manifest = image(source, "app:v1", 2, 1000, 5);
        List<String> scopes = Collections.synchronizedList(new ArrayList<>());
        int[] port = new int[1];
        try (HttpServer server = serve(dir.resolve("registry"), api -> request -> {
            if (request.path().equals("/token")) {
                if (!"Basic dTpw".equals(request.header("Authorization"))) return Response.text(401, "bad credentials");
                scopes.add(request.queryParameter("scope").orElse(""));
                return Response.of(200, "application/json", "{\"token\":\"t-123\"}".getBytes(StandardCharsets.UTF_8));
            }
            if (!"Bearer t-123".equals(request.header("Authorization"))) {
                return Response.text(401, "token needed").header("WWW-Authenticate",
                        "Bearer realm=\"http://127.0.0.1:" + port[0] + "/token\",service=\"test\"");
            }
            return api.handle(request);
        })) {
            port[0] = server.port();
            try (RegistryClient client = RegistryClient.connect(hostPort(server), plain().withCredentials("u", "p"))) {
                client.push(source, manifest, "app", "v1", null, TransferProgress.NONE);
                client.pull("app", "v1", OciLayout.open(dir.resolve("target")), TransferProgress.NONE);
            }
            assertEquals(List.of("repository:app:pull,push", "repository:app:pull"), scopes);
        }
    }

    @Test
    void plainHttpIsAllowedOnlyForRegistriesOnThisMachine() {
        assertTrue(RegistryClient.loopback("127.0.0.1:5000"));
        assertTrue(RegistryClient.loopback("localhost"));
        assertTrue(RegistryClient.loopback("[::1]:5000"));
        assertFalse(RegistryClient.loopback("example.com"));
    }
}
