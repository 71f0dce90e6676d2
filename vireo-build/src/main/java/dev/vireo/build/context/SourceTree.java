package dev.vireo.build.context;

import dev.vireo.build.fs.RootPath;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A tree that COPY and ADD read from: the build context (minus what .dockerignore excludes) or
 * a stage's or image's root filesystem. Sources match as Docker matches them: leading '/' and
 * '..' navigation removed, Go {@code filepath.Match} wildcards per component, the named path
 * followed if it is a link (inside the tree), links below it kept as links.
 */
public final class SourceTree {
    private static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;

    private final Path root;
    private final IgnorePatterns ignore;
    private final IgnorePatterns exclude;

    private SourceTree(Path root, IgnorePatterns ignore, IgnorePatterns exclude) {
        this.root = root;
        this.ignore = ignore;
        this.exclude = exclude;
    }

    /** The tree under {@code root}; paths {@code ignore} matches (relative to the root) are not there. */
    public static SourceTree of(Path root, IgnorePatterns ignore) {
        return new SourceTree(root.toAbsolutePath().normalize(), ignore, IgnorePatterns.NONE);
    }

    /** The same tree without what COPY --exclude patterns match (relative to each source's top). */
    public SourceTree excluding(List<String> patterns) {
        return patterns.isEmpty() ? this : new SourceTree(root, ignore, IgnorePatterns.of(patterns));
    }

    public Path root() {
        return root;
    }

    /** One file, directory, link or device of a source, with its path relative to the source's top. */
    public record Entry(String path, Path host, int mode, int uid, int gid, long size, long inode, long device,
                        long rdev, int links, FileTime modified) {
        public int type() {
            return mode & S_IFMT;
        }

        public boolean isDirectory() {
            return type() == S_IFDIR;
        }

        public boolean isFile() {
            return type() == S_IFREG;
        }

        public boolean isLink() {
            return type() == S_IFLNK;
        }

        public int permissions() {
            return mode & 07777;
        }
    }

    public interface Visitor {
        void visit(Entry entry) throws IOException;
    }

    /**
     * Expands a COPY/ADD source to the paths it names, relative to the root ("" for the root
     * itself). A name without wildcards that is missing or excluded is a {@link NoSuchFileException};
     * a pattern may match nothing (the caller decides whether that is an error).
     */
    public List<String> match(String source) throws IOException {
        List<String> parts = new ArrayList<>();
        for (String p : IgnorePatterns.clean("/" + source).split("/")) if (!p.isEmpty()) parts.add(p);
        List<String> found = new ArrayList<>(List.of(""));
        for (String part : parts) {
            List<String> next = new ArrayList<>();
            Pattern pattern = Glob.hasMeta(part) ? Glob.checked(part) : null;
            for (String dir : found) {
                Path host = RootPath.resolve(root, dir, true);
                if (pattern == null) {
                    String candidate = dir.isEmpty() ? part : dir + "/" + part;
                    if (Files.exists(RootPath.resolve(root, candidate, false), LinkOption.NOFOLLOW_LINKS)) next.add(candidate);
                    continue;
                }
                if (!Files.isDirectory(host)) continue;
                List<String> names = new ArrayList<>();
                try (DirectoryStream<Path> children = Files.newDirectoryStream(host)) {
                    for (Path child : children) names.add(child.getFileName().toString());
                }
                names.sort(null);
                for (String name : names) if (pattern.matcher(name).matches()) next.add(dir.isEmpty() ? name : dir + "/" + name);
            }
            found = next;
        }
        List<String> visible = new ArrayList<>();
        for (String path : found) if (!ignore.excludes(path)) visible.add(path);
        boolean wildcard = parts.stream().anyMatch(Glob::hasMeta);
        if (visible.isEmpty() && !wildcard) throw new NoSuchFileException(source);
        return visible;
    }

    /**
     * Visits the source at {@code path} (its link followed inside the tree) and, for a
     * directory, everything below it that is not excluded, parents first, names in byte order.
     */
    public void walk(String path, Visitor visitor) throws IOException {
        Path top = RootPath.existing(root, path);
        String relative = root.relativize(top).toString();
        visit(top, relative, "", visitor);
    }

    private void visit(Path host, String relative, String below, Visitor visitor) throws IOException {
        Entry entry = entry(host, below);
        boolean hidden = !below.isEmpty() && (ignore.excludes(relative) || exclude.excludes(below));
        boolean exceptions = ignore.hasExceptions() || exclude.hasExceptions();
        // An excluded directory is still entered when an exception may bring a file below it back.
        if (!hidden) visitor.visit(entry);
        if (!entry.isDirectory() || hidden && !exceptions) return;
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> list = Files.newDirectoryStream(host)) {
            for (Path child : list) children.add(child);
        }
        children.sort((a, b) -> java.util.Arrays.compare(name(a), name(b)));
        for (Path child : children) {
            String name = child.getFileName().toString();
            visit(child, relative.isEmpty() ? name : relative + "/" + name, below.isEmpty() ? name : below + "/" + name, visitor);
        }
    }

    private static byte[] name(Path p) {
        return p.getFileName().toString().getBytes(StandardCharsets.UTF_8);
    }

    static Entry entry(Path host, String below) throws IOException {
        Map<String, Object> st = Files.readAttributes(host, "unix:mode,uid,gid,size,ino,dev,rdev,nlink,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        return new Entry(below, host, (Integer) st.get("mode"), (Integer) st.get("uid"), (Integer) st.get("gid"),
                (Long) st.get("size"), (Long) st.get("ino"), (Long) st.get("dev"), (Long) st.get("rdev"),
                (Integer) st.get("nlink"), (FileTime) st.get("lastModifiedTime"));
    }

    /**
     * The digest of what COPY/ADD would read from these sources: for every entry its path,
     * type, permission bits, owner, and its content's sha256 (a link's target, a device's
     * number). Modification times are not part of it, as in Docker's cache.
     */
    public String digest(List<String> sources) throws IOException {
        MessageDigest all = sha256();
        for (String source : sources) {
            all.update(("source " + source + "\n").getBytes(StandardCharsets.UTF_8));
            walk(source, e -> {
                StringBuilder line = new StringBuilder().append(e.path()).append('\0').append(Integer.toOctalString(e.mode()))
                        .append(' ').append(e.uid()).append(':').append(e.gid()).append(' ');
                if (e.isFile()) line.append(contentDigest(e.host()));
                else if (e.isLink()) line.append(Files.readSymbolicLink(e.host()));
                else if (!e.isDirectory()) line.append(e.rdev());
                all.update(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
            });
        }
        return HexFormat.of().formatHex(all.digest());
    }

    public static String contentDigest(Path file) throws IOException {
        MessageDigest md = sha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buffer)) > 0; ) md.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
