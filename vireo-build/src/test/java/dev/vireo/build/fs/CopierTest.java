package dev.vireo.build.fs;

import dev.vireo.build.context.IgnorePatterns;
import dev.vireo.build.context.SourceTree;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CopierTest {
    @TempDir
    Path ctx;
    @TempDir
    Path root;

    @BeforeEach
    void needsRoot() {
        boolean isRoot = "root".equals(System.getProperty("user.name"));
        if (!isRoot) System.err.println("skipping: copying with owners needs root (lchown)");
        Assumptions.assumeTrue(isRoot, "needs root");
    }

    private void write(Path base, String path, String content) throws IOException {
        Path p = base.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private static Map<String, Object> stat(Path p) throws IOException {
        return Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void directoryContentsMergeAndFilesLandAsDocumentedWithOwnerAndChmod() throws IOException {
        write(ctx, "app/bin/run", "run");
        write(ctx, "app/conf", "conf");
        write(ctx, "single.txt", "one");
        Files.setLastModifiedTime(ctx.resolve("single.txt"), FileTime.fromMillis(1_600_000_000_000L));
        write(root, "srv/existing", "kept");
        SourceTree tree = SourceTree.of(ctx, IgnorePatterns.NONE);

        Copier copier = new Copier(root, new Owner(1000, 1001), Chmod.parse("u=rwX,go=rX"));
        copier.copy(tree, "app", "/srv/", true);
        copier.copy(tree, "single.txt", "/opt/renamed.txt", false);
        copier.copy(tree, "single.txt", "/srv", false);
        copier.finish();

        assertEquals("run", Files.readString(root.resolve("srv/bin/run")));
        assertEquals("kept", Files.readString(root.resolve("srv/existing")));
        assertEquals("one", Files.readString(root.resolve("opt/renamed.txt")));
        assertEquals("one", Files.readString(root.resolve("srv/single.txt")), "an existing directory takes the file inside");
        Map<String, Object> st = stat(root.resolve("opt/renamed.txt"));
        assertEquals(1000, st.get("uid"));
        assertEquals(1001, st.get("gid"));
        assertEquals(0100644, st.get("mode"));
        assertEquals(FileTime.fromMillis(1_600_000_000_000L), st.get("lastModifiedTime"));
        assertEquals(040755, stat(root.resolve("srv/bin")).get("mode"));
        assertEquals(1000, stat(root.resolve("opt")).get("uid"), "a directory the copy creates is the owner's");
    }

    @Test
    void destinationLinksResolveInsideTheRoot() throws IOException {
        write(ctx, "f", "data");
        Files.createDirectories(root.resolve("usr/lib"));
        Files.createSymbolicLink(root.resolve("lib"), Path.of("/usr/lib"));
        Path outside = Files.createTempDirectory("outside");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        SourceTree tree = SourceTree.of(ctx, IgnorePatterns.NONE);
        Copier copier = new Copier(root, null, null);
        copier.copy(tree, "f", "/lib/f", false);
        copier.copy(tree, "f", "/escape/f", false);
        assertEquals("data", Files.readString(root.resolve("usr/lib/f")));
        assertFalse(Files.exists(outside.resolve("f")), "a link to a host path must not lead the copy out of the root");
        assertTrue(Files.exists(root.resolve(outside.toString().substring(1)).resolve("f")));
        Files.delete(outside);
    }

    @Test
    void fileNeverReplacesADirectoryNorADirectoryAFile() throws IOException {
        write(ctx, "d/x", "x");
        write(ctx, "f", "f");
        Files.createDirectories(root.resolve("target"));
        write(root, "plain", "p");
        SourceTree tree = SourceTree.of(ctx, IgnorePatterns.NONE);
        Copier copier = new Copier(root, null, null);
        assertThrows(FileAlreadyExistsException.class, () -> copier.copy(tree, "d", "/plain", false));
        copier.copy(tree, "f", "/plain", false);
        assertEquals("f", Files.readString(root.resolve("plain")), "a file replaces a file");
    }

    @Test
    void sourceOwnersAreKeptWhenNoOwnerIsGivenAndHardLinksStayLinked() throws IOException {
        write(ctx, "a", "shared");
        Files.createLink(ctx.resolve("b"), ctx.resolve("a"));
        Files.setAttribute(ctx.resolve("a"), "unix:uid", 123);
        Files.createSymbolicLink(ctx.resolve("l"), Path.of("a"));
        SourceTree tree = SourceTree.of(ctx, IgnorePatterns.NONE);
        Copier copier = new Copier(root, null, null);
        copier.copy(tree, ".", "/dst", true);
        assertEquals(123, stat(root.resolve("dst/a")).get("uid"));
        assertEquals(Files.readAttributes(root.resolve("dst/a"), "unix:ino").get("ino"),
                Files.readAttributes(root.resolve("dst/b"), "unix:ino").get("ino"));
        assertEquals(Path.of("a"), Files.readSymbolicLink(root.resolve("dst/l")));
    }

    @Test
    void chmodSymbolicAndOctal() {
        assertEquals(0755, Chmod.parse("755").apply(0600, false));
        assertEquals(0755, Chmod.parse("u=rwX,go=rX").apply(0700, true));
        assertEquals(0644, Chmod.parse("u=rwX,go=rX").apply(0600, false));
        assertEquals(0755, Chmod.parse("u=rwX,go=rX").apply(0700, false));
        assertEquals(0755, Chmod.parse("+x").apply(0644, false));
        assertEquals(0660, Chmod.parse("g=u").apply(0640, false));
        assertThrows(IllegalArgumentException.class, () -> Chmod.parse("u*x"));
    }

    @Test
    void chownNamesComeFromTheImagesOwnFiles() throws IOException {
        write(root, "etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1500::/home/app:/bin/sh\n");
        write(root, "etc/group", "root:x:0:\nstaff:x:50:\n");
        assertEquals(new Owner(1000, 1500), Accounts.resolve(root, "app"));
        assertEquals(new Owner(1000, 50), Accounts.resolve(root, "app:staff"));
        assertEquals(new Owner(55, 50), Accounts.resolve(root, "55:staff"));
        assertEquals(new Owner(7, 7), Accounts.resolve(root, "7"));
        assertThrows(IllegalArgumentException.class, () -> Accounts.resolve(root, "nobody"));
        assertThrows(IllegalArgumentException.class, () -> Accounts.resolve(root, "app:nogroup"));
    }
}
