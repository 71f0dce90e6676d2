package dev.vireo.build.context;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SourceTreeTest {
    @TempDir
    Path ctx;

    private void write(String path, String content) throws IOException {
        Path p = ctx.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private List<String> walked(SourceTree tree, String source) throws IOException {
        List<String> paths = new ArrayList<>();
        tree.walk(source, e -> paths.add(e.path()));
        return paths;
    }

    @Test
    void sourcesMatchWithGoWildcardsPerComponentAndDropParentNavigation() throws IOException {
        write("index.js", "");
        write("index.ts", "");
        write("index.txt", "");
        write("src/a.txt", "");
        write("src/sub/b.txt", "");
        write("arr[0].txt", "");
        SourceTree tree = SourceTree.of(ctx, IgnorePatterns.NONE);
        assertEquals(List.of("index.js", "index.ts"), tree.match("index.?s"));
        assertEquals(List.of("src/a.txt"), tree.match("src/*.txt"));
        assertEquals(List.of("src/sub/b.txt"), tree.match("*/*/b.txt"));
        assertEquals(List.of("arr[0].txt"), tree.match("arr[[]0].txt"));
        assertEquals(List.of("src"), tree.match("../../src/"));
        assertEquals(List.of("src"), tree.match("/src"));
        assertEquals(List.of(""), tree.match("."));
        assertEquals(List.of(), tree.match("*.png"));
        assertThrows(NoSuchFileException.class, () -> tree.match("missing.txt"));
    }

    @Test
    void dockerignoredFilesAreInvisibleUnlessAnExceptionBringsThemBack() throws IOException {
        write("keep.txt", "");
        write("secret.key", "");
        write("logs/a.log", "");
        write("logs/important.log", "");
        write("node_modules/x/y.js", "");
        IgnorePatterns ignore = IgnorePatterns.parse("*.key\nlogs\n!logs/important.log\nnode_modules\n".getBytes(StandardCharsets.UTF_8));
        SourceTree tree = SourceTree.of(ctx, ignore);
        assertEquals(List.of("", "keep.txt", "logs/important.log"), walked(tree, "."));
        assertThrows(NoSuchFileException.class, () -> tree.match("secret.key"));
        assertThrows(NoSuchFileException.class, () -> tree.match("node_modules"));
        assertEquals(List.of("keep.txt"), tree.match("*.*"));
    }

    @Test
    void copyExcludePatternsApplyBelowEachSource() throws IOException {
        write("home/a.txt", "");
        write("home/b.md", "");
        write("home/c.sh", "");
        SourceTree tree = SourceTree.of(ctx, IgnorePatterns.NONE).excluding(List.of("*.txt", "*.md"));
        assertEquals(List.of("", "c.sh"), walked(tree, "home"));
    }

    @Test
    void namedLinkIsFollowedInsideTheTreeAndLinksBelowAreKept() throws IOException {
        write("real/file", "x");
        Files.createSymbolicLink(ctx.resolve("link"), Path.of("/real"));
        Files.createSymbolicLink(ctx.resolve("real/inner"), Path.of("file"));
        SourceTree tree = SourceTree.of(ctx, IgnorePatterns.NONE);
        List<SourceTree.Entry> entries = new ArrayList<>();
        tree.walk("link", entries::add);
        assertEquals(List.of("", "file", "inner"), entries.stream().map(SourceTree.Entry::path).toList());
        assertEquals(true, entries.get(0).isDirectory(), "an absolute link target resolves inside the tree, not on the host");
        assertEquals(true, entries.get(2).isLink());
    }

    @Test
    void digestFollowsContentModeAndOwnerButNotModificationTime() throws IOException {
        write("app/main.sh", "echo one");
        write("app/lib/util.sh", "util");
        SourceTree tree = SourceTree.of(ctx, IgnorePatterns.NONE);
        String first = tree.digest(List.of("app"));
        Files.setLastModifiedTime(ctx.resolve("app/main.sh"), FileTime.fromMillis(0));
        assertEquals(first, tree.digest(List.of("app")));
        Files.setPosixFilePermissions(ctx.resolve("app/main.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String chmodded = tree.digest(List.of("app"));
        assertNotEquals(first, chmodded);
        Files.writeString(ctx.resolve("app/lib/util.sh"), "util2");
        assertNotEquals(chmodded, tree.digest(List.of("app")));
        assertNotEquals(tree.digest(List.of("app")), tree.digest(List.of("app/lib")));
    }
}
