package dev.vireo.image;

import dev.vireo.oci.BadContentException;

import dev.vireo.oci.ImageRef;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Archives written here are read by skopeo, and archives skopeo writes load here with the same IDs. */
class ArchiveInteropTest {
    @TempDir
    Path dir;
    ImageStore store;
    Image busybox;

    @BeforeEach
    void setUp() throws IOException {
        TestTar.assumeRoot();
        store = ImageStore.open(dir.resolve("store"));
        busybox = ImageArchives.importRootfs(store, busyboxRootfs(dir.resolve("rootfs")), ImageRef.parse("busybox"),
                List.of("sh"), List.of(), Progress.NONE);
    }

    @Test
    void importedRootfsIsASingleLayerImageWithTheConfigSaid() throws IOException {
        Image image = store.resolve("busybox:latest");
        assertEquals(busybox.id(), image.id());
        assertEquals(1, image.layers().size());
        assertEquals(List.of("sh"), image.config().config().cmd());
        assertEquals(List.of(ImageArchives.DEFAULT_PATH), image.config().config().env());
        assertEquals("amd64", image.config().architecture());
        Path fs = store.unpack(image, Progress.NONE).getFirst();
        assertTrue(Files.isSymbolicLink(fs.resolve("bin/sh")));
        assertTrue(Files.isExecutable(fs.resolve("bin/busybox")));
    }

    @Test
    void ociArchiveRoundTripsThroughSkopeoWithTheSameDigests() throws Exception {
        assumeSkopeo();
        Path oci = dir.resolve("busybox-oci.tar");
        try (OutputStream out = Files.newOutputStream(oci)) {
            ImageArchives.save(store, List.of("busybox"), out, ImageArchives.Format.OCI, Progress.NONE);
        }
        String inspected = run("skopeo", "inspect", "--raw", "oci-archive:" + oci);
        assertTrue(inspected.contains(busybox.layers().getFirst().blob().digest().toString()), inspected);

        // skopeo rewrites it as a docker-save archive and as an OCI layout directory; both load back.
        Path dockerArchive = dir.resolve("from-skopeo.tar");
        run("skopeo", "--insecure-policy", "copy", "oci-archive:" + oci, "docker-archive:" + dockerArchive + ":example.com/bb:v1");
        Path layoutDir = dir.resolve("layout");
        run("skopeo", "--insecure-policy", "copy", "oci-archive:" + oci, "oci:" + layoutDir + ":latest");

        ImageStore other = ImageStore.open(dir.resolve("other"));
        List<ImageArchives.Loaded> fromDocker;
        try (InputStream in = Files.newInputStream(dockerArchive)) {
            fromDocker = ImageArchives.load(other, in, null, Progress.NONE);
        }
        assertEquals(List.of(ImageRef.parse("example.com/bb:v1")), fromDocker.getFirst().names());
        Image loaded = other.resolve("example.com/bb:v1");
        assertEquals(busybox.id(), loaded.id(), "the image ID (config digest) survives docker-archive");
        assertEquals(busybox.config().diffIds(), loaded.config().diffIds());

        List<ImageArchives.Loaded> fromLayout = ImageArchives.load(other, layoutDir, ImageRef.parse("bb:layout"), Progress.NONE);
        assertEquals(busybox.id(), fromLayout.getFirst().image().id());
        assertEquals(busybox.layers().getFirst().blob().digest(), other.resolve("bb:layout").layers().getFirst().blob().digest());
    }

    @Test
    void theStoreIsAnOciLayoutUmociUnpacksWithOurWhiteoutsApplied() throws Exception {
        assumeTool("umoci");
        TestTar.assumeOverlay();
        Rootfs rootfs = store.prepareRootfs("edit", busybox, Progress.NONE);
        Image changed;
        try {
            Files.delete(rootfs.merged().resolve("etc/passwd"));
            Files.writeString(rootfs.merged().resolve("tmp/new"), "added");
            Layer layer = store.commitLayer(busybox.topChainId(), rootfs.upper(), true, Progress.NONE);
            changed = store.commit(busybox.config().withLayer(layer.diffId(), null), List.of(busybox.layers().getFirst(), layer));
            store.tag(ImageRef.parse("busybox:changed"), changed.descriptor());
        } finally {
            store.removeRootfs("edit");
        }
        // umoci, an independent implementation, reads the store in place and applies our .wh. entry.
        Path bundle = dir.resolve("bundle");
        run("umoci", "unpack", "--image", store.directory() + ":docker.io/library/busybox:changed", bundle.toString());
        assertTrue(Files.isRegularFile(bundle.resolve("rootfs/bin/busybox")));
        assertEquals("added", Files.readString(bundle.resolve("rootfs/tmp/new")));
        assertTrue(Files.notExists(bundle.resolve("rootfs/etc/passwd")), "umoci kept a file our layer deletes");
        assertTrue(run("umoci", "ls", "--layout", store.directory().toString()).contains("docker.io/library/busybox:changed"));
    }

    @Test
    void dockerFormatSaveIsReadBySkopeo() throws Exception {
        assumeSkopeo();
        Path archive = dir.resolve("busybox-docker.tar");
        try (OutputStream out = Files.newOutputStream(archive)) {
            ImageArchives.save(store, List.of("busybox"), out, ImageArchives.Format.DOCKER, Progress.NONE);
        }
        String config = run("skopeo", "inspect", "--config", "docker-archive:" + archive);
        assertTrue(config.contains(busybox.config().diffIds().getFirst().toString()), config);
        ImageStore other = ImageStore.open(dir.resolve("other"));
        try (InputStream in = Files.newInputStream(archive)) {
            ImageArchives.load(other, in, null, Progress.NONE);
        }
        assertEquals(busybox.id(), other.resolve("busybox").id());
    }

    @Test
    void savingTwiceGivesTheSameBytes() throws IOException {
        Path a = dir.resolve("a.tar"), b = dir.resolve("b.tar");
        for (Path p : List.of(a, b)) {
            try (OutputStream out = Files.newOutputStream(p)) {
                ImageArchives.save(store, List.of("busybox"), out, ImageArchives.Format.OCI, Progress.NONE);
            }
        }
        assertEquals(-1L, Files.mismatch(a, b));
    }

    @Test
    void aTamperedBlobIsRefusedAndNothingIsNamed() throws Exception {
        Path layout = dir.resolve("layout");
        Path tar = dir.resolve("x.tar");
        try (OutputStream out = Files.newOutputStream(tar)) {
            ImageArchives.save(store, List.of("busybox"), out, ImageArchives.Format.OCI, Progress.NONE);
        }
        Files.createDirectories(layout);
        run("tar", "-C", layout.toString(), "-xf", tar.toString());
        Path layer = layout.resolve("blobs/sha256/" + busybox.layers().getFirst().blob().digest().encoded());
        byte[] bytes = Files.readAllBytes(layer);
        bytes[bytes.length / 2] ^= 1;
        Files.write(layer, bytes);
        ImageStore other = ImageStore.open(dir.resolve("other"));
        BadContentException e = assertThrows(BadContentException.class,
                () -> ImageArchives.load(other, layout, null, Progress.NONE));
        assertTrue(e.getMessage().contains("digest mismatch"), e.getMessage());
        assertTrue(other.list().isEmpty());
    }

    @Test
    void aLayerThatDoesNotMatchItsDiffIdIsRefused() throws Exception {
        // A docker-save archive whose config claims another DiffID for its layer.
        Path archive = dir.resolve("d.tar");
        try (OutputStream out = Files.newOutputStream(archive)) {
            ImageArchives.save(store, List.of("busybox"), out, ImageArchives.Format.DOCKER, Progress.NONE);
        }
        Path unpacked = Files.createDirectories(dir.resolve("d"));
        run("tar", "-C", unpacked.toString(), "-xf", archive.toString());
        Path config = unpacked.resolve(busybox.id().encoded() + ".json");
        String json = Files.readString(config).replace(busybox.config().diffIds().getFirst().encoded(), "0".repeat(64));
        Files.writeString(config, json);
        ImageStore other = ImageStore.open(dir.resolve("other"));
        BadContentException e = assertThrows(BadContentException.class,
                () -> ImageArchives.load(other, unpacked, null, Progress.NONE));
        assertTrue(e.getMessage().contains("DiffID mismatch"), e.getMessage());
        assertTrue(other.list().isEmpty());
        assertNotEquals(0, other.prune().blobs().size());
    }

    @Test
    void somethingThatIsNoArchiveIsRefused() throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.tar"), "not a tar at all".repeat(100));
        try (InputStream in = Files.newInputStream(junk)) {
            assertThrows(BadContentException.class, () -> ImageArchives.load(store, in, null, Progress.NONE));
        }
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(assertThrows(BadContentException.class, () -> ImageArchives.load(store, empty, null, Progress.NONE))
                .getMessage().startsWith("not an image archive"));
    }

    /** A minimal busybox root filesystem, as scripts/make-busybox-image lays it out. */
    static Path busyboxRootfs(Path root) throws IOException {
        Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
        for (String applet : List.of("sh", "ls", "cat", "echo", "true", "rm", "mkdir")) {
            Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        for (String d : List.of("etc", "tmp", "proc", "sys", "dev", "root")) Files.createDirectories(root.resolve(d));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        return root;
    }

    static void assumeSkopeo() {
        assumeTool("skopeo");
    }

    static void assumeTool(String tool) {
        boolean present = Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
        if (!present) System.err.println("skipping: " + tool + " is not installed (scripts/setup installs it)");
        org.junit.jupiter.api.Assumptions.assumeTrue(present, "needs " + tool);
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }
}
