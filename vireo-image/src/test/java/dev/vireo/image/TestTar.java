package dev.vireo.image;

import dev.vireo.image.tar.TarEntry;
import dev.vireo.image.tar.TarWriter;
import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** Builds layer tars for tests, entry by entry, including the malicious ones no real tool writes. */
public final class TestTar {
    public static final Instant T = Instant.ofEpochSecond(1_600_000_000L, 0);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final TarWriter writer = new TarWriter(out);

    public TestTar dir(String name) {
        return add(new TarEntry(name, TarEntry.Type.DIRECTORY, 0755, 0, 0, 0, T, "", 0, 0, Map.of()), null);
    }

    public TestTar file(String name, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        return add(new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, data.length, T, "", 0, 0, Map.of()), data);
    }

    public TestTar entry(TarEntry entry, String content) {
        return add(entry, content == null ? null : content.getBytes(StandardCharsets.UTF_8));
    }

    public TestTar symlink(String name, String target) {
        return add(new TarEntry(name, TarEntry.Type.SYMLINK, 0777, 0, 0, 0, T, target, 0, 0, Map.of()), null);
    }

    public TestTar hardlink(String name, String target) {
        return add(new TarEntry(name, TarEntry.Type.HARDLINK, 0644, 0, 0, 0, T, target, 0, 0, Map.of()), null);
    }

    private TestTar add(TarEntry entry, byte[] data) {
        try {
            writer.write(entry, data == null ? null : new ByteArrayInputStream(data));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public byte[] bytes() {
        try {
            writer.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Skips a test that needs root (mknod, chown, trusted.* xattrs, mounts), saying why on stderr. */
    public static void assumeRoot() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) System.err.println("skipping: this test needs root (device nodes, owners, trusted xattrs, mounts)");
        Assumptions.assumeTrue(root, "needs root");
    }

    /** Skips a test when overlayfs cannot be mounted here, saying why on stderr. */
    public static void assumeOverlay() {
        assumeRoot();
        boolean overlay;
        try {
            overlay = Files.readString(Path.of("/proc/filesystems")).contains("overlay");
        } catch (IOException e) {
            overlay = false;
        }
        if (!overlay) System.err.println("skipping: this kernel has no overlayfs");
        Assumptions.assumeTrue(overlay, "needs overlayfs");
    }
}
