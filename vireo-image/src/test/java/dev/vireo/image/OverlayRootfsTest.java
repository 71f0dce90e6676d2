package dev.vireo.image;

import dev.vireo.oci.Digest;
import dev.vireo.oci.ImageRef;

import dev.vireo.image.layer.Compression;
import dev.vireo.image.tar.TarEntry;
import dev.vireo.image.tar.TarReader;
import dev.vireo.sys.FileMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Container root filesystems on real overlayfs mounts (root only). */
class OverlayRootfsTest {
    @TempDir
    Path dir;
    ImageStore store;
    final List<String> rootfsToRemove = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        TestTar.assumeOverlay();
        store = ImageStore.open(dir);
    }

    @AfterEach
    void tearDown() throws IOException {
        for (String id : rootfsToRemove) store.removeRootfs(id);
    }

    @Test
    void upperLayersWinWhiteoutsHideAndOpaqueDirectoriesReplace() throws IOException {
        Layer base = layer(null, new TestTar().dir("etc").file("etc/passwd", "root").file("etc/hosts", "lower")
                .dir("var").file("var/old", "old").file("shared", "base").bytes());
        Layer top = layer(base.chainId(), new TestTar().dir("etc").file("etc/.wh.passwd", "")
                .dir("var").file("var/.wh..wh..opq", "").file("var/new", "new").file("shared", "top").bytes());
        Image image = image(List.of(base, top));

        Rootfs rootfs = prepare("c1", image);

        Path merged = rootfs.merged();
        assertEquals("top", Files.readString(merged.resolve("shared")));
        assertFalse(Files.exists(merged.resolve("etc/passwd")));
        assertEquals("lower", Files.readString(merged.resolve("etc/hosts")));
        assertEquals(List.of("new"), list(merged.resolve("var")));
        assertEquals(2, rootfs.lowers().size());
        assertTrue(rootfs.lowers().getFirst().toString().contains("/l/"), "lowers are short links: " + rootfs.lowers());
    }

    @Test
    void deletingALowerFileLeavesAWhiteoutThatCommitsAsAnOciWhiteout() throws IOException {
        Layer base = layer(null, new TestTar().dir("etc").file("etc/motd", "hello").file("keep", "k").bytes());
        Rootfs rootfs = prepare("c2", image(List.of(base)));

        Files.delete(rootfs.merged().resolve("etc/motd"));
        Files.writeString(rootfs.merged().resolve("added"), "new file");

        Path whiteout = rootfs.upper().resolve("etc/motd");
        assertEquals(FileMetadata.S_IFCHR, ((Integer) Files.getAttribute(whiteout, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 0170000);
        assertEquals(0L, ((Long) Files.getAttribute(whiteout, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue());

        Layer diff = store.commitLayer(base.chainId(), rootfs.upper(), true, Progress.NONE);
        List<String> names = new ArrayList<>();
        try (InputStream tar = Compression.decompress(store.openBlob(diff.blob().digest()));
             TarReader reader = new TarReader(tar)) {
            for (TarEntry e; (e = reader.next()) != null; ) names.add(e.name());
        }
        assertEquals(List.of("added", "etc/", "etc/.wh.motd"), names);

        Rootfs child = prepare("c3", image(List.of(base, diff)));
        assertFalse(Files.exists(child.merged().resolve("etc/motd")));
        assertEquals("new file", Files.readString(child.merged().resolve("added")));
        assertEquals("k", Files.readString(child.merged().resolve("keep")));
    }

    @Test
    void removingTheRootfsUnmountsAndDeletesTheUpperLayer() throws IOException {
        Layer base = layer(null, new TestTar().file("f", "x").bytes());
        Rootfs rootfs = store.prepareRootfs("gone", image(List.of(base)), Progress.NONE);
        Files.writeString(rootfs.merged().resolve("scratch"), "data");
        assertTrue(mounted(rootfs.merged()));
        assertTrue(store.removeRootfs("gone"));
        assertFalse(mounted(rootfs.merged()));
        assertFalse(Files.exists(rootfs.upper().getParent()));
        assertTrue(store.rootfsIds().isEmpty());
    }

    @Test
    void aScratchRootfsHasAnEmptyLower() throws IOException {
        Rootfs rootfs = store.prepareRootfs("scratch", List.of(), null);
        rootfsToRemove.add("scratch");
        assertEquals(List.of(), list(rootfs.merged()));
        Files.writeString(rootfs.merged().resolve("a"), "b");
        assertEquals("b", Files.readString(rootfs.upper().resolve("a")));
    }

    @Test
    void layersWhosePathsWouldOverflowTheMountOptionsFitAsShortLinks() throws IOException {
        // As many layers as fit in one page as l/ links (leaving room for upperdir and workdir).
        int perLink = store.directory().resolve("l").toString().length() + 28;
        Rootfs rootfs = stack("fits", 3600 / perLink);
        long full = rootfs.lowers().stream().mapToLong(l -> {
            try {
                return l.toRealPath().toString().length() + 1;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).sum();
        long shortened = rootfs.lowers().stream().mapToLong(l -> l.toString().length() + 1).sum();
        assertTrue(full > 4096 && shortened < 3700, "full paths " + full + " bytes, short links " + shortened);
    }

    @Test
    void moreLayersThanOneMountOptionHoldsAreStackedInOrder() throws IOException {
        // 150 layers: even as l/ short links the options pass one page here, so the lowers are added one by one.
        stack("many", 150);
    }

    private Rootfs stack(String id, int count) throws IOException {
        List<Layer> layers = new ArrayList<>();
        Digest parent = null;
        for (int i = 0; i < count; i++) {
            Layer l = layer(parent, new TestTar().file("f" + i, "layer " + i).file("top", "layer " + i).bytes());
            layers.add(l);
            parent = l.chainId();
        }
        Rootfs rootfs = prepare(id, image(layers));
        assertEquals(count, rootfs.lowers().size());
        assertEquals("layer " + (count - 1), Files.readString(rootfs.merged().resolve("top")));
        assertEquals("layer 0", Files.readString(rootfs.merged().resolve("f0")));
        assertEquals("layer " + count / 2, Files.readString(rootfs.merged().resolve("f" + count / 2)));
        assertEquals(count + 1, list(rootfs.merged()).size());
        return rootfs;
    }

    @Test
    void garbageCollectionKeepsTheLayersOfALiveRootfs() throws IOException {
        Layer base = layer(null, new TestTar().file("f", "x").bytes());
        Image image = image(List.of(base));
        store.tag(ImageRef.parse("tmp"), image.descriptor());
        Rootfs rootfs = prepare("live", image);
        store.untag(ImageRef.parse("tmp"));
        store.prune();
        assertEquals("x", Files.readString(rootfs.merged().resolve("f")));
        assertTrue(store.hasBlob(image.manifestDigest()));
        store.removeRootfs("live");
        rootfsToRemove.remove("live");
        PruneReport report = store.prune();
        assertEquals(List.of(base.chainId()), report.snapshots());
        assertFalse(store.hasBlob(base.blob().digest()));
    }

    private Layer layer(Digest parent, byte[] tar) throws IOException {
        return store.addLayer(parent, new ByteArrayInputStream(tar), Progress.NONE);
    }

    private Image image(List<Layer> layers) throws IOException {
        ImageConfig config = ImageConfig.scratch();
        for (Layer l : layers) config = config.withLayer(l.diffId(), new ImageConfig.History(null, "test", null, null, null));
        Image image = store.commit(config, layers);
        store.record(image.descriptor());
        return image;
    }

    private Rootfs prepare(String id, Image image) throws IOException {
        Rootfs rootfs = store.prepareRootfs(id, image, Progress.NONE);
        rootfsToRemove.add(id);
        return rootfs;
    }

    private static boolean mounted(Path path) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(line -> line.split(" ")[4].equals(path.toString()));
    }

    private static List<String> list(Path p) throws IOException {
        try (var s = Files.list(p)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }
}
