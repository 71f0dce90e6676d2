package dev.vireo.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vireo image ...} end to end through the built ./vireo, against a store under a temporary root. */
class ImageCommandIT {
    @TempDir
    Path dir;
    Path root;

    record Result(int status, String out, String err) {}

    @BeforeEach
    void needsRoot() {
        boolean isRoot = "root".equals(System.getProperty("user.name"));
        if (!isRoot) System.err.println("skipping: vireo image tests need root (owners, device nodes, overlay)");
        Assumptions.assumeTrue(isRoot, "needs root");
        root = dir.resolve("state");
    }

    @Test
    void busyboxImageIsMadeListedInspectedSavedLoadedAndRemoved() throws Exception {
        Result made = run(List.of(Project.ROOT.resolve("scripts/make-busybox-image").toString(), "--quiet", "--root", root.toString()));
        assertEquals(0, made.status(), made.err());
        String id = made.out().strip();
        assertTrue(id.startsWith("sha256:"), id);

        Result images = vireo("images", "--root", root.toString());
        assertTrue(images.out().lines().anyMatch(l -> l.startsWith("busybox") && l.contains("latest") && l.contains(id.substring(7, 19))),
                images.out());

        Result inspect = vireo("image", "inspect", "--root", root.toString(), "busybox");
        assertEquals(0, inspect.status(), inspect.err());
        assertTrue(inspect.out().contains("\"Id\": \"" + id + "\""), inspect.out());
        assertTrue(inspect.out().contains("\"busybox:latest\""), inspect.out());

        Path archive = dir.resolve("busybox.tar");
        assertEquals(0, vireo("image", "save", "--root", root.toString(), "-o", archive.toString(), "busybox").status());
        Path other = dir.resolve("other");
        Result loaded = vireo("image", "load", "--root", other.toString(), "-i", archive.toString(), "-t", "copy:v1");
        assertEquals("Loaded image: copy:v1", loaded.out().strip(), loaded.err());
        Result copy = vireo("image", "inspect", "--root", other.toString(), "copy:v1");
        assertTrue(copy.out().contains("\"Id\": \"" + id + "\""), copy.out());

        Result rmi = vireo("rmi", "--root", root.toString(), "busybox");
        assertEquals("Untagged: busybox:latest\nDeleted: " + id, rmi.out().strip());
        assertEquals(0, vireo("image", "prune", "--root", root.toString()).status());
        assertEquals(0, count(root.resolve("image/snapshots")));
        assertEquals(0, count(root.resolve("image/blobs/sha256")));
    }

    @Test
    void aMountedImageWithAFileDeletedCommitsAsANewImageWithoutIt() throws Exception {
        assertEquals(0, run(List.of(Project.ROOT.resolve("scripts/make-busybox-image").toString(), "--quiet", "--root", root.toString())).status());
        Result mounted = vireo("image", "mount", "--root", root.toString(), "busybox", "c1");
        assertEquals(0, mounted.status(), mounted.err());
        Path merged = Path.of(mounted.out().strip());
        Files.delete(merged.resolve("etc/group"));
        Path whiteout = root.resolve("image/rootfs/c1/upper/etc/group");
        assertEquals(0L, ((Long) Files.getAttribute(whiteout, "unix:rdev", java.nio.file.LinkOption.NOFOLLOW_LINKS)).longValue());
        assertEquals(0, vireo("image", "commit", "--root", root.toString(), "c1", "-t", "busybox:nogroup").status());
        assertEquals(0, vireo("image", "unmount", "--root", root.toString(), "c1").status());
        assertFalse(Files.exists(root.resolve("image/rootfs/c1")));
        Path again = Path.of(vireo("image", "mount", "--root", root.toString(), "busybox:nogroup", "c2").out().strip());
        assertFalse(Files.exists(again.resolve("etc/group")));
        assertTrue(Files.exists(again.resolve("etc/passwd")));
        Result inUse = vireo("rmi", "--root", root.toString(), "busybox:nogroup");
        assertEquals(2, inUse.status());
        assertTrue(inUse.err().contains("in use by a container"), inUse.err());
        assertEquals(0, vireo("image", "unmount", "--root", root.toString(), "c2").status());
    }

    @Test
    void badInputGetsOneLineAndExitStatusTwo() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.tar"), "this is no archive");
        for (List<String> args : List.of(
                List.of("rmi", "--root", dir.toString(), "nosuch"),
                List.of("image", "inspect", "--root", dir.toString(), "Upper/Case"),
                List.of("image", "load", "--root", dir.toString(), "-i", junk.toString()),
                List.of("image", "load", "--root", dir.toString(), "-i", dir.resolve("missing.tar").toString()),
                List.of("image", "import-rootfs", "--root", dir.toString(), dir.resolve("missing").toString(), "-t", "x"),
                List.of("image", "frobnicate"))) {
            Result r = vireo(args.toArray(String[]::new));
            assertEquals(2, r.status(), args + ": " + r.err());
            assertEquals(1, r.err().lines().count(), args + ": " + r.err());
            assertTrue(r.err().startsWith("vireo "), r.err());
        }
    }

    @Test
    void loadKilledWithSigkillLeavesTheStoreConsistent() throws Exception {
        // An archive with one large layer, so the load is still writing when it is killed.
        Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
        byte[] noise = new byte[48 << 20];
        new Random(1).nextBytes(noise);
        Files.write(rootfs.resolve("noise"), noise);
        Path source = dir.resolve("source");
        assertEquals(0, vireo("image", "import-rootfs", "--root", source.toString(), "-q", rootfs.toString(), "-t", "big").status());
        Path archive = dir.resolve("big.tar");
        assertEquals(0, vireo("image", "save", "--root", source.toString(), "-o", archive.toString(), "big").status());

        Path tmp = Files.createDirectories(root.resolve("image/tmp"));
        Process load;
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            tmp.register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            load = command(List.of("image", "load", "--root", root.toString(), "-i", archive.toString())).start();
            watch.take(); // the first temporary blob file exists: the load is mid-write
            load.destroyForcibly();
        }
        assertEquals(137, load.waitFor());

        // Every visible blob is whole: its content hashes to its name.
        try (Stream<Path> blobs = Files.list(root.resolve("image/blobs/sha256"))) {
            for (Path blob : blobs.toList()) assertEquals(blob.getFileName().toString(), sha256(blob));
        }
        Result images = vireo("images", "--root", root.toString());
        assertEquals(0, images.status(), images.err());
        assertFalse(images.out().contains("big"), images.out());
        Result prune = vireo("image", "prune", "--root", root.toString());
        assertEquals(0, prune.status(), prune.err());
        assertEquals(0, count(root.resolve("image/tmp")));
        Result again = vireo("image", "load", "--root", root.toString(), "-i", archive.toString());
        assertEquals("Loaded image: big:latest", again.out().strip(), again.err());
    }

    private Result vireo(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Project.VIREO.toString());
        command.addAll(List.of(args));
        return run(command);
    }

    private ProcessBuilder command(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Project.VIREO.toString());
        command.addAll(args);
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        Path errFile = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(errFile.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        int status = p.waitFor();
        return new Result(status, new String(out, StandardCharsets.UTF_8), Files.readString(errFile));
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) md.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static long count(Path p) throws IOException {
        if (!Files.exists(p)) return 0;
        try (Stream<Path> s = Files.list(p)) {
            return s.count();
        }
    }
}
