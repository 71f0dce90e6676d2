package dev.vireo.image;

import dev.vireo.oci.BadContentException;
import dev.vireo.oci.Digest;
import dev.vireo.oci.MediaTypes;

import dev.vireo.image.tar.TarEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each way a layer could write outside its root is refused, and nothing of the layer stays. */
class LayerEscapeTest {
    @TempDir
    Path dir;
    Path outside;
    ImageStore store;

    @BeforeEach
    void setUp() throws IOException {
        TestTar.assumeRoot();
        store = ImageStore.open(dir.resolve("root"));
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("passwd"), "host secret");
    }

    @Test
    void refusesDotDot() throws IOException {
        refused(new TestTar().file("../evil", "x").bytes(), "escapes the layer root");
        refused(new TestTar().dir("a").file("a/../../evil", "x").bytes(), "escapes the layer root");
    }

    @Test
    void refusesAbsolutePaths() throws IOException {
        refused(new TestTar().file(outside.resolve("evil").toString(), "x").bytes(), "absolute path");
    }

    @Test
    void refusesWritingThroughASymlinkToOutside() throws IOException {
        refused(new TestTar().symlink("etc", outside.toString()).file("etc/passwd", "owned").bytes(), "symbolic link 'etc'");
        refused(new TestTar().symlink("up", "../../..").file("up/evil", "x").bytes(), "symbolic link 'up'");
        assertEquals("host secret", Files.readString(outside.resolve("passwd")));
    }

    @Test
    void refusesWritingThroughASymlinkEvenToInside() throws IOException {
        // Followed inside one layer, a link could be repointed later: the only safe rule is to never follow one.
        refused(new TestTar().dir("real").symlink("alias", "real").file("alias/x", "x").bytes(), "symbolic link 'alias'");
    }

    @Test
    void refusesHardLinksToOutside() throws IOException {
        refused(new TestTar().hardlink("pw", outside.resolve("passwd").toString()).bytes(), "points outside the layer");
        refused(new TestTar().hardlink("pw", "../outside/passwd").bytes(), "points outside the layer");
        refused(new TestTar().symlink("etc", outside.toString()).hardlink("pw", "etc/passwd").bytes(), "not a directory");
        refused(new TestTar().hardlink("pw", "missing").bytes(), "not in this layer");
    }

    @Test
    void refusesWhiteoutsThatEscapeOrNameNothing() throws IOException {
        refused(new TestTar().file("../.wh.passwd", "").bytes(), "escapes the layer root");
        refused(new TestTar().file("a/.wh.", "").bytes(), "whiteout of nothing");
        refused(new TestTar().symlink("d", outside.toString()).file("d/.wh..wh..opq", "").bytes(), "symbolic link 'd'");
    }

    @Test
    void refusesAFileReplacingTheRoot() throws IOException {
        refused(new TestTar().entry(new TarEntry(".", TarEntry.Type.FILE, 0644, 0, 0, 1, TestTar.T, "", 0, 0, Map.of()), "x")
                .bytes(), "names the root");
    }

    @Test
    void aRefusedLayerMidwayLeavesNothingOfItself() throws IOException {
        byte[] tar = new TestTar().dir("ok").file("ok/first", "fine").file("ok/second", "fine").file("../late", "x").bytes();
        refused(gzip(tar), "escapes the layer root");
    }

    @Test
    void aGoodLayerIsAccepted() throws IOException {
        byte[] tar = new TestTar().dir("etc").symlink("etc/link", "/etc/passwd").file("etc/passwd", "root:x:0:0").bytes();
        Layer layer = store.addLayer(null, new ByteArrayInputStream(gzip(tar)), Progress.NONE);
        assertEquals(Digest.sha256(tar), layer.diffId());
        assertEquals(layer.diffId(), layer.chainId());
        assertEquals(MediaTypes.OCI_LAYER_GZIP, layer.blob().mediaType());
        assertTrue(Files.isRegularFile(store.directory().resolve("snapshots").resolve(layer.chainId().encoded()).resolve("fs/etc/passwd")));
    }

    @Test
    void zstdAndPlainLayersAreAcceptedWithTheSameDiffId() throws Exception {
        byte[] tar = new TestTar().dir("usr").file("usr/zstd", "compressed with the zstd tool").bytes();
        Path plain = Files.write(dir.resolve("layer.tar"), tar);
        Process p = new ProcessBuilder("zstd", "-q", "-19", plain.toString(), "-o", dir.resolve("layer.tar.zst").toString())
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        Layer zstd = store.addLayer(null, Files.newInputStream(dir.resolve("layer.tar.zst")), Progress.NONE);
        assertEquals(MediaTypes.OCI_LAYER_ZSTD, zstd.blob().mediaType());
        assertEquals(Digest.sha256(tar), zstd.diffId());
        Layer uncompressed = store.addLayer(null, new ByteArrayInputStream(tar), Progress.NONE);
        assertEquals(MediaTypes.OCI_LAYER, uncompressed.blob().mediaType());
        assertEquals(zstd.chainId(), uncompressed.chainId());
    }

    private void refused(byte[] tar, String reason) throws IOException {
        BadContentException e = assertThrows(BadContentException.class,
                () -> store.addLayer(null, new ByteArrayInputStream(tar), Progress.NONE));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertEquals(0, count(store.directory().resolve("snapshots")), "a snapshot stayed");
        assertEquals(0, count(store.directory().resolve("l")), "a link stayed");
        assertEquals(0, count(store.directory().resolve("tmp")), "a temporary file stayed");
        assertEquals(0, count(store.directory().resolve("blobs/sha256")), "the blob stayed");
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(1, s.count(), "something was written outside");
        }
        assertEquals("host secret", Files.readString(outside.resolve("passwd")));
        assertFalse(Files.exists(dir.resolve("evil")));
    }

    private static long count(Path p) throws IOException {
        try (Stream<Path> s = Files.list(p)) {
            return s.count();
        }
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
