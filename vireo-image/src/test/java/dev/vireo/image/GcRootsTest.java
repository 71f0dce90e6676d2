package dev.vireo.image;

import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.oci.MediaTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GcRootsTest {
    @TempDir
    Path root;

    @Test
    void imageKeptByARootSurvivesPruneUntilTheRootGoes() throws IOException {
        TestTar.assumeRoot();
        ImageStore store = ImageStore.open(root);
        Layer layer = store.addLayer(null, new ByteArrayInputStream(new TestTar().file("f", "cached").bytes()), Progress.NONE);
        ImageConfig config = ImageConfig.scratch().withLayer(layer.diffId(), new ImageConfig.History(null, "step", null, null, null));
        Image image = store.commit(config, List.of(layer));
        GcRoots cache = store.roots("build-cache");
        cache.put("k1", image.descriptor());

        store.prune();

        assertTrue(store.list().isEmpty(), "a GC root is not an image name");
        assertTrue(store.hasBlob(image.manifestDigest()));
        assertTrue(store.hasBlob(image.id()));
        assertTrue(store.hasBlob(layer.blob().digest()));
        assertTrue(Files.isDirectory(root.resolve("image/snapshots").resolve(layer.chainId().encoded())));
        assertEquals(image.manifestDigest(), cache.get("k1").orElseThrow().digest());
        assertEquals(List.of("k1"), cache.keys());

        assertTrue(cache.remove("k1"));
        store.prune();
        assertFalse(store.hasBlob(image.manifestDigest()));
        assertFalse(store.hasBlob(layer.blob().digest()));
        assertFalse(Files.exists(root.resolve("image/snapshots").resolve(layer.chainId().encoded())));
    }

    @Test
    void rootMustNameContentTheStoreHasAndAValidKey() throws IOException {
        ImageStore store = ImageStore.open(root);
        GcRoots roots = store.roots("build-cache");
        Descriptor missing = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(new byte[] {1}), 1);
        assertThrows(BadContentException.class, () -> roots.put("k", missing));
        Image image = ImageStoreTest.emptyImage(store, "x");
        assertThrows(BadContentException.class, () -> roots.put("../escape", image.descriptor()));
        assertThrows(BadContentException.class, () -> store.roots("a/b"));
        assertTrue(roots.get("absent").isEmpty());
    }

    @Test
    void interruptedRootWriteLeavesNoKeyAndPruneRemovesItsTemporaryFile() throws IOException {
        ImageStore store = ImageStore.open(root);
        Image image = ImageStoreTest.emptyImage(store, "x");
        GcRoots roots = store.roots("build-cache");
        roots.put("k", image.descriptor());
        Path leftover = root.resolve("image/roots/build-cache/.k2.0000.tmp");
        Files.writeString(leftover, "{\"half\":");
        assertEquals(List.of("k"), roots.keys());
        store.collectGarbage();
        assertFalse(Files.exists(leftover));
        assertTrue(store.hasBlob(image.manifestDigest()));
        assertEquals(1, roots.clear());
        store.collectGarbage();
        assertFalse(store.hasBlob(image.manifestDigest()));
    }
}
