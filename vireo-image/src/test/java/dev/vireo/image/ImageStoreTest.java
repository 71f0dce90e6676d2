package dev.vireo.image;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.BadContentException;

import dev.vireo.oci.ImageRef;

import dev.vireo.oci.MediaTypes;

import dev.vireo.oci.Digest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageStoreTest {
    @TempDir
    Path root;

    @Test
    void storeIsAnOciImageLayout() throws IOException {
        ImageStore store = ImageStore.open(root);
        assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(root.resolve("image/oci-layout")));
        Descriptor d = store.putBlob("application/octet-stream", "hello".getBytes(StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(root.resolve("image/blobs/sha256/" + d.digest().encoded())));
    }

    @Test
    void blobWhoseDigestDoesNotMatchIsRefusedAndLeavesNothing() throws IOException {
        ImageStore store = ImageStore.open(root);
        byte[] content = "real content".getBytes(StandardCharsets.UTF_8);
        Digest claimed = Digest.sha256("other content".getBytes(StandardCharsets.UTF_8));
        BadContentException e = assertThrows(BadContentException.class,
                () -> store.putBlob("x", new ByteArrayInputStream(content), claimed, content.length, Progress.NONE));
        assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
        assertFalse(store.hasBlob(claimed));
        assertFalse(store.hasBlob(Digest.sha256(content)));
        assertEquals(0, count(root.resolve("image/tmp")));
    }

    @Test
    void blobOfTheWrongSizeIsRefused() throws IOException {
        ImageStore store = ImageStore.open(root);
        byte[] content = "12345".getBytes(StandardCharsets.UTF_8);
        assertThrows(BadContentException.class,
                () -> store.putBlob("x", new ByteArrayInputStream(content), Digest.sha256(content), 4, Progress.NONE));
        assertThrows(BadContentException.class,
                () -> store.putBlob("x", new ByteArrayInputStream(content), Digest.sha256(content), 6, Progress.NONE));
        assertFalse(store.hasBlob(Digest.sha256(content)));
    }

    @Test
    void manifestMustReferenceBlobsTheStoreHas() throws IOException {
        ImageStore store = ImageStore.open(root);
        Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256("{}".getBytes()), 2);
        byte[] manifest = Json.write(Manifest.oci(config, List.of()));
        BadContentException e = assertThrows(BadContentException.class, () -> store.putManifest(manifest, MediaTypes.OCI_MANIFEST));
        assertTrue(e.getMessage().contains("does not have"), e.getMessage());
    }

    @Test
    void tagsMoveAndTheOldImageBecomesDangling() throws IOException {
        ImageStore store = ImageStore.open(root);
        Image first = emptyImage(store, "one");
        Image second = emptyImage(store, "two");
        ImageRef name = ImageRef.parse("app");
        store.tag(name, first.descriptor());
        assertEquals(first.manifestDigest(), store.lookup(ImageRef.parse("docker.io/library/app:latest")).orElseThrow().digest());
        store.tag(name, second.descriptor());
        assertEquals(second.manifestDigest(), store.resolve("app").manifestDigest());
        List<StoredImage> all = store.list();
        assertEquals(2, all.size());
        StoredImage dangling = all.stream().filter(i -> i.name() == null).findFirst().orElseThrow();
        assertEquals(first.manifestDigest(), dangling.target().digest());
        assertEquals(first.id(), store.resolve(first.id().encoded().substring(0, 10)).id());
        assertEquals(first.id(), store.resolve(first.id().toString()).id());
    }

    @Test
    void pruneRemovesDanglingImagesAndUnreferencedBlobsButKeepsNamedOnes() throws IOException {
        ImageStore store = ImageStore.open(root);
        Image kept = emptyImage(store, "kept");
        store.tag(ImageRef.parse("kept"), kept.descriptor());
        Image dangling = emptyImage(store, "dangling");
        store.record(dangling.descriptor());
        Descriptor stray = store.putBlob("x", "stray".getBytes(StandardCharsets.UTF_8));
        Files.writeString(root.resolve("image/tmp/blob-leftover"), "half a blob");

        PruneReport report = store.prune();

        assertEquals(List.of(dangling.manifestDigest()), report.images());
        assertTrue(report.blobs().contains(stray.digest()));
        assertTrue(report.blobs().contains(dangling.manifestDigest()));
        assertEquals(1, report.temporaries());
        assertTrue(store.hasBlob(kept.manifestDigest()));
        assertTrue(store.hasBlob(kept.id()));
        assertEquals(kept.id(), store.resolve("kept").id());
        assertEquals(1, store.list().size());
    }

    @Test
    void rmiUntagsThenDeletesTheLastName() throws IOException {
        ImageStore store = ImageStore.open(root);
        Image image = emptyImage(store, "x");
        store.tag(ImageRef.parse("a"), image.descriptor());
        store.tag(ImageRef.parse("b:1"), image.descriptor());
        assertEquals(List.of("Untagged: a:latest"), store.remove("a", false));
        assertEquals(List.of("Untagged: b:1", "Deleted: " + image.id()), store.remove("b:1", false));
        assertTrue(store.list().isEmpty());
        assertFalse(store.hasBlob(image.manifestDigest()));
        assertThrows(NoSuchImageException.class, () -> store.remove("a", false));
    }

    @Test
    void configWithoutLayersRoundTrips() throws IOException {
        ImageStore store = ImageStore.open(root);
        Image image = emptyImage(store, "x");
        Image again = store.image(image.descriptor());
        assertEquals(image.config(), again.config());
        assertArrayEquals(Json.write(image.config()), store.readBlob(image.id()));
        assertNull(again.topChainId());
    }

    static Image emptyImage(ImageStore store, String label) throws IOException {
        ImageConfig config = ImageConfig.scratch().withContainer(ImageConfig.Container.empty().withCmd(List.of(label)), null);
        return store.commit(config, List.of());
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
