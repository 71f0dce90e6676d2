package dev.vireo.image;

import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Platform;

import dev.vireo.oci.Digest;
import dev.vireo.oci.ImageRef;
import dev.vireo.oci.MediaTypes;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IndexAndConcurrencyTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsRoot() {
        TestTar.assumeRoot();
    }

    @Test
    void aMultiPlatformLayoutLoadsTheIndexAndUnpacksOnlyThisPlatform() throws IOException {
        // An OCI layout whose index names an amd64 and an arm64 image; only the amd64 blobs are present,
        // as after a single-platform copy.
        Path layout = Files.createDirectories(dir.resolve("layout/blobs/sha256"));
        byte[] tar = new TestTar().file("hello", "amd64").bytes();
        Descriptor layer = blob(layout, MediaTypes.OCI_LAYER, tar);
        ImageConfig config = ImageConfig.scratch().withLayer(Digest.sha256(tar), null);
        Descriptor configBlob = blob(layout, MediaTypes.OCI_CONFIG, Json.write(config));
        Descriptor amd64 = blob(layout, MediaTypes.OCI_MANIFEST, Json.write(Manifest.oci(configBlob, List.of(layer))));
        Descriptor arm64 = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256("absent".getBytes()), 6);
        ImageIndex index = ImageIndex.oci(List.of(
                with(arm64, new Platform("arm64", "linux", null, null, "v8")),
                with(amd64, new Platform("amd64", "linux", null, null, null))));
        Descriptor indexBlob = blob(layout, MediaTypes.OCI_INDEX, Json.write(index));
        Files.writeString(dir.resolve("layout/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.write(dir.resolve("layout/index.json"), Json.write(ImageIndex.oci(List.of(
                indexBlob.withAnnotations(Map.of("org.opencontainers.image.ref.name", "example.com/multi:1"))))));

        ImageStore store = ImageStore.open(dir.resolve("store"));
        List<ImageArchives.Loaded> loaded = ImageArchives.load(store, dir.resolve("layout"), null, Progress.NONE);

        assertEquals(indexBlob.digest(), loaded.getFirst().target().digest());
        assertEquals(indexBlob.digest(), store.lookup(ImageRef.parse("example.com/multi:1")).orElseThrow().digest());
        Image image = store.resolve("example.com/multi:1");
        assertEquals(amd64.digest(), image.manifestDigest());
        assertEquals("amd64", Files.readString(store.unpack(image, Progress.NONE).getFirst().resolve("hello")));
    }

    @Test
    void concurrentCommandsAddingTheSameLayerAgreeOnOneSnapshot() throws Exception {
        ImageStore store = ImageStore.open(dir.resolve("store"));
        byte[] tar = new TestTar().dir("d").file("d/f", "same content").bytes();
        List<Callable<Layer>> tasks = new ArrayList<>();
        for (int i = 0; i < 8; i++) tasks.add(() -> store.addLayer(null, new ByteArrayInputStream(tar), Progress.NONE));
        List<Layer> layers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Layer> f : pool.invokeAll(tasks)) layers.add(f.get());
        }
        assertTrue(layers.stream().allMatch(l -> l.equals(layers.getFirst())), layers.toString());
        try (var s = Files.list(store.directory().resolve("snapshots"))) {
            assertEquals(1, s.count());
        }
        try (var s = Files.list(store.directory().resolve("tmp"))) {
            assertEquals(0, s.count());
        }
        assertEquals("same content", Files.readString(store.directory().resolve("snapshots")
                .resolve(layers.getFirst().chainId().encoded()).resolve("fs/d/f")));
    }

    private static Descriptor with(Descriptor d, Platform p) {
        return new Descriptor(d.mediaType(), d.digest(), d.size(), null, null, p, null);
    }

    private static Descriptor blob(Path blobs, String mediaType, byte[] content) throws IOException {
        Digest digest = Digest.sha256(content);
        Files.write(blobs.resolve(digest.encoded()), content);
        return new Descriptor(mediaType, digest, content.length);
    }
}
