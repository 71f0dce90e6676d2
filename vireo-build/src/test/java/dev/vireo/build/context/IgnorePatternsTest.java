package dev.vireo.build.context;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** .dockerignore matching: the examples of Docker's build-context documentation and moby's pattern matcher. */
class IgnorePatternsTest {
    private static IgnorePatterns file(String text) {
        return IgnorePatterns.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void excluded(IgnorePatterns p, String... paths) {
        for (String path : paths) assertTrue(p.excludes(path), path + " should be excluded");
    }

    private static void included(IgnorePatterns p, String... paths) {
        for (String path : paths) assertFalse(p.excludes(path), path + " should be included");
    }

    @Test
    void documentedExampleWithCommentsAndSingleLevelWildcards() {
        IgnorePatterns p = file("""
                # comment
                */temp*
                */*/temp*
                temp?
                """);
        excluded(p, "somedir/temporary.txt", "somedir/temp", "somedir/subdir/temporary.txt", "tempa", "tempb");
        included(p, "temp", "tempab", "temporary.txt", "a/b/c/temp.txt", "# comment");
    }

    @Test
    void leadingAndTrailingSlashesAreDisregarded() {
        for (String pattern : List.of("/foo/bar/", "/foo/bar", "foo/bar/", "foo/bar", "  foo/./bar  ", "foo//baz/../bar")) {
            IgnorePatterns p = file(pattern + "\n");
            excluded(p, "foo/bar", "foo/bar/inside.txt");
            included(p, "foo", "foo/barn", "bar");
        }
    }

    @Test
    void doubleStarMatchesAnyNumberOfDirectories() {
        IgnorePatterns go = file("**/*.go\n");
        excluded(go, "main.go", "a/b/c/x.go");
        included(go, "main.goo", "a/go");
        IgnorePatterns dir = file("dir/**\n");
        excluded(dir, "dir/file", "dir/dir2/file");
        included(dir, "dir", "other/dir/file");
        excluded(file("**/dir\n"), "dir", "dir/file", "a/b/dir/file");
        excluded(file("**/dir2/*\n"), "dir/dir2/file", "dir/dir2/file/deeper");
        excluded(file("**file\n"), "file", "dir/file", "dir/dir/file", "xfile");
        excluded(file("a**/*.txt\n"), "a/file.txt", "a/dir/file.txt", "a/dir/dir/file.txt");
        included(file("a/*.txt\n"), "a/dir/file.txt");
        included(file("**/**/*.txt2\n"), "dir/dir/file.txt");
        included(file("abc/**\n"), "abc");
        excluded(file("**\n"), "anything", "a/b");
    }

    @Test
    void exceptionsAndLastMatchWins() {
        IgnorePatterns md = file("*.md\n!README.md\n");
        excluded(md, "CHANGES.md");
        included(md, "README.md", "docs/other.md");

        IgnorePatterns secret = file("*.md\n!README*.md\nREADME-secret.md\n");
        excluded(secret, "README-secret.md", "x.md");
        included(secret, "README.md", "README-public.md");

        IgnorePatterns reversed = file("*.md\nREADME-secret.md\n!README*.md\n");
        included(reversed, "README-secret.md", "README.md");
        excluded(reversed, "x.md");

        IgnorePatterns docs = file("docs\n!docs/README.md\n");
        excluded(docs, "docs", "docs/other.md");
        included(docs, "docs/README.md");
        assertTrue(docs.hasExceptions());

        IgnorePatterns all = file("**\n!util/docker/web\n");
        included(all, "util/docker/web/foo");
        excluded(file("**\n!util/docker/web\nutil/docker/web/foo\n"), "util/docker/web/foo");
    }

    @Test
    void goMatchSyntax() {
        excluded(file("a[b-d]e\n"), "ace");
        included(file("a[b-d]e\n"), "ae", "aae");
        excluded(file("a[^b-d]e\n"), "aze");
        excluded(file(".*\n"), ".foo");
        included(file(".*\n"), "foo");
        included(file("abc.def\n"), "abcdef", "abcZdef");
        excluded(file("abc?def\n"), "abcZdef");
        excluded(file("a(b)c/def\n"), "a(b)c/def");
        excluded(file("a.|)$(}+{bc\n"), "a.|)$(}+{bc");
        excluded(file("dist/*.whl\n"), "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl");
        excluded(file("a\\*b\n"), "a*b");
        included(file("a\\*b\n"), "ab", "axb");
        included(file("a*b\n"), "a/b");
        excluded(file("[\\-x]\n"), "-", "x");
    }

    @Test
    void malformedPatternsAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> file("[\n").excludes("a"));
        assertThrows(IllegalArgumentException.class, () -> file("a[\n"));
        assertThrows(IllegalArgumentException.class, () -> file("[^bc\n"));
        assertThrows(IllegalArgumentException.class, () -> IgnorePatterns.of(List.of("!")));
    }

    @Test
    void rootIsNeverExcludedAndEmptyFileExcludesNothing() {
        assertFalse(file("*\n").excludes("."));
        assertFalse(file("*\n").excludes(""));
        assertTrue(file("\n\n# only comments\n").isEmpty());
        assertEquals(".", IgnorePatterns.clean("a/.."));
    }
}
