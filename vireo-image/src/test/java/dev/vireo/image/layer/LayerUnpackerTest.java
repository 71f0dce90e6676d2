package dev.vireo.image.layer;

import dev.vireo.image.Progress;
import dev.vireo.image.TestTar;
import dev.vireo.image.tar.TarEntry;
import dev.vireo.image.tar.TarReader;
import dev.vireo.oci.Digest;
import dev.vireo.sys.FileMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerUnpackerTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsRoot() {
        TestTar.assumeRoot();
    }

    @Test
    void keepsOwnersModesTimesLinksDevicesAndXattrs() throws IOException {
        Instant nanos = Instant.ofEpochSecond(1_650_000_000L, 123_456_789);
        byte[] capability = {0, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] tar = new TestTar()
                .entry(new TarEntry("bin", TarEntry.Type.DIRECTORY, 0750, 10, 20, 0, TestTar.T, "", 0, 0, Map.of()), null)
                .entry(new TarEntry("bin/su", TarEntry.Type.FILE, 04755, 0, 0, 2, nanos, "", 0, 0, Map.of()), "su")
                .entry(new TarEntry("bin/ping", TarEntry.Type.FILE, 0755, 1000, 1001, 4, TestTar.T, "", 0, 0,
                        Map.of("security.capability", capability, "user.origin", "test".getBytes())), "ping")
                .hardlink("bin/su2", "bin/su")
                .entry(new TarEntry("bin/sh", TarEntry.Type.SYMLINK, 0777, 5, 6, 0, TestTar.T, "/bin/busybox", 0, 0, Map.of()), null)
                .entry(new TarEntry("dev/null", TarEntry.Type.CHAR, 0666, 0, 0, 0, TestTar.T, "", 1, 3, Map.of()), null)
                .entry(new TarEntry("dev/fifo", TarEntry.Type.FIFO, 0600, 0, 0, 0, TestTar.T, "", 0, 0, Map.of()), null)
                .entry(new TarEntry("tmp", TarEntry.Type.DIRECTORY, 01777, 0, 0, 0, TestTar.T, "", 0, 0, Map.of()), null)
                .bytes();
        Path root = Files.createDirectory(dir.resolve("root"));
        LayerUnpacker.Result result = LayerUnpacker.unpack(new ByteArrayInputStream(tar), root, "t", Progress.NONE);

        assertEquals(Digest.sha256(tar), result.diffId());
        assertEquals(0750, mode(root.resolve("bin")));
        assertEquals(10, attr(root.resolve("bin"), "uid"));
        assertEquals(20, attr(root.resolve("bin"), "gid"));
        assertEquals(TestTar.T, ((FileTime) Files.getAttribute(root.resolve("bin"), "lastModifiedTime", LinkOption.NOFOLLOW_LINKS)).toInstant());
        assertEquals(04755, mode(root.resolve("bin/su")));
        assertEquals(nanos, Files.getLastModifiedTime(root.resolve("bin/su")).toInstant());
        assertEquals(attr(root.resolve("bin/su"), "ino"), attr(root.resolve("bin/su2"), "ino"));
        assertArrayEquals(capability, FileMetadata.getXattr(root.resolve("bin/ping").toString(), "security.capability"));
        assertArrayEquals("test".getBytes(), FileMetadata.getXattr(root.resolve("bin/ping").toString(), "user.origin"));
        assertEquals(1000, attr(root.resolve("bin/ping"), "uid"));
        assertEquals(Path.of("/bin/busybox"), Files.readSymbolicLink(root.resolve("bin/sh")));
        assertEquals(5, attr(root.resolve("bin/sh"), "uid"));
        assertEquals(FileMetadata.makedev(1, 3), ((Long) Files.getAttribute(root.resolve("dev/null"), "unix:rdev")).longValue());
        assertEquals(FileMetadata.S_IFIFO, (int) attr(root.resolve("dev/fifo"), "mode") & 0170000);
        assertEquals(01777, mode(root.resolve("tmp")));
    }

    @Test
    void ociWhiteoutsBecomeOverlayWhiteoutsAndBack() throws IOException {
        byte[] tar = new TestTar()
                .dir("etc")
                .file("etc/.wh.passwd", "")
                .dir("var")
                .dir("var/cache")
                .file("var/cache/.wh..wh..opq", "")
                .file("var/cache/kept", "new")
                .bytes();
        Path root = Files.createDirectory(dir.resolve("root"));
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), root, "t", Progress.NONE);

        Path whiteout = root.resolve("etc/passwd");
        assertEquals(FileMetadata.S_IFCHR, (int) attr(whiteout, "mode") & 0170000);
        assertEquals(0L, ((Long) Files.getAttribute(whiteout, "unix:rdev")).longValue());
        assertFalse(Files.exists(root.resolve("etc/.wh.passwd"), LinkOption.NOFOLLOW_LINKS));
        assertArrayEquals(new byte[] {'y'}, FileMetadata.getXattr(root.resolve("var/cache").toString(), LayerUnpacker.OPAQUE_XATTR));
        assertFalse(Files.exists(root.resolve("var/cache/.wh..wh..opq")));

        List<String> names = names(root);
        assertEquals(List.of("etc/", "etc/.wh.passwd", "var/", "var/cache/", "var/cache/.wh..wh..opq", "var/cache/kept"), names);
    }

    @Test
    void directoryIsWrittenReproducibly() throws IOException {
        byte[] tar = new TestTar().dir("a").file("a/x", "1").file("b", "2").symlink("c", "a/x").hardlink("d", "b").bytes();
        Path root = Files.createDirectory(dir.resolve("root"));
        LayerUnpacker.unpack(new ByteArrayInputStream(tar), root, "t", Progress.NONE);
        ByteArrayOutputStream first = new ByteArrayOutputStream(), second = new ByteArrayOutputStream();
        LayerWriter.write(root, first, true);
        Files.setLastModifiedTime(root.resolve("b"), FileTime.from(TestTar.T.plusNanos(5)));
        LayerWriter.write(root, second, true);
        assertArrayEquals(first.toByteArray(), second.toByteArray());
        // Same tree unpacked elsewhere writes the same bytes: the DiffID is a property of the content.
        Path copy = Files.createDirectory(dir.resolve("copy"));
        LayerUnpacker.unpack(new ByteArrayInputStream(first.toByteArray()), copy, "t", Progress.NONE);
        ByteArrayOutputStream third = new ByteArrayOutputStream();
        LayerWriter.write(copy, third, true);
        assertArrayEquals(first.toByteArray(), third.toByteArray());
        List<String> names = names(root);
        assertEquals(List.of("a/", "a/x", "b", "c", "d"), names);
        assertTrue(new String(first.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("a/x"));
    }

    private static List<String> names(Path root) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LayerWriter.write(root, out, true);
        List<String> names = new ArrayList<>();
        try (TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()))) {
            for (TarEntry e; (e = r.next()) != null; ) names.add(e.name());
        }
        return names;
    }

    private static int mode(Path p) throws IOException {
        return (int) attr(p, "mode") & 07777;
    }

    private static long attr(Path p, String name) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:" + name, LinkOption.NOFOLLOW_LINKS)).longValue();
    }
}
