package dev.vireo.build.exec;

import dev.vireo.build.context.IgnorePatterns;
import dev.vireo.build.context.SourceTree;
import dev.vireo.build.dockerfile.Heredoc;
import dev.vireo.build.dockerfile.Instruction;
import dev.vireo.build.dockerfile.Location;
import dev.vireo.build.dockerfile.ShellLexer;
import dev.vireo.build.fs.Accounts;
import dev.vireo.build.fs.Archives;
import dev.vireo.build.fs.Chmod;
import dev.vireo.build.fs.Copier;
import dev.vireo.build.fs.Downloads;
import dev.vireo.build.fs.Owner;
import dev.vireo.build.fs.RootPath;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * COPY and ADD. Sources come from the build context, or with {@code --from} from a stage's or an
 * image's root filesystem; ADD also fetches URLs and extracts local tar archives. The step's key
 * holds the evaluated instruction and the digest of every file it reads (content, mode, owner),
 * so a changed file misses the cache and an unchanged one hits it, whatever its time stamps.
 */
final class CopyStep {
    /** Where the files come from: a tree, and whether their owners are reset to root (the context's are). */
    record Source(SourceTree tree, String label, boolean fromContext) {}

    private record Remote(URI url, Downloads.Fetched file) {}

    private record Inline(String name, byte[] content) {}

    private CopyStep() {}

    static Step evaluate(Instruction.Copy copy, ConfigEditor config, ShellLexer lexer, Function<String, String> vars,
                         Source source, Session session) throws IOException {
        String keyword = copy.keyword();
        Location at = copy.where();
        String chown = copy.chown() == null ? null : lexer.word(copy.chown(), vars);
        String chmodText = copy.chmod() == null ? null : lexer.word(copy.chmod(), vars);
        Chmod chmod;
        try {
            chmod = chmodText == null ? null : Chmod.parse(chmodText);
        } catch (IllegalArgumentException e) {
            throw at.error(keyword, e.getMessage());
        }
        List<String> excludes = copy.excludes().stream().map(e -> lexer.word(e, vars)).toList();
        boolean unpack = copy.add() && !"false".equals(copy.unpack());
        String destination = lexer.word(copy.destination(), vars);
        if (destination.isEmpty()) throw at.error(keyword, "the destination is empty");
        String workdir = config.workingDir == null || config.workingDir.isEmpty() ? "/" : config.workingDir;
        boolean directoryTarget = destination.endsWith("/") || destination.equals(".") || destination.endsWith("/.");
        String clean = Path.of(destination.startsWith("/") ? destination : Copier.join(workdir, destination)).normalize().toString();
        String target = directoryTarget && !clean.equals("/") ? clean + "/" : clean;

        SourceTree tree = source.tree().excluding(excludes);
        List<String> matched = new ArrayList<>();
        List<Remote> remotes = new ArrayList<>();
        List<Inline> inline = new ArrayList<>();
        StringBuilder key = new StringBuilder(keyword);
        key.append(" --from=").append(source.label());
        if (chown != null) key.append(" --chown=").append(chown);
        if (chmodText != null) key.append(" --chmod=").append(chmodText);
        for (String e : excludes) key.append(" --exclude=").append(e);
        if (copy.add()) key.append(" --unpack=").append(unpack);
        MessageDigest read = sha256();
        for (String raw : copy.sources()) {
            Heredoc doc = copy.heredocs().stream().filter(h -> h.marker().equals(raw)).findFirst().orElse(null);
            if (doc != null) {
                String content = doc.expand() ? lexer.heredoc(doc.content(), vars) : doc.content();
                inline.add(new Inline(doc.name(), content.getBytes(StandardCharsets.UTF_8)));
                read.update(("heredoc " + doc.name() + "\n" + content + "\n").getBytes(StandardCharsets.UTF_8));
                continue;
            }
            String src = lexer.word(raw, vars);
            if (isUrl(src)) {
                if (!copy.add()) throw at.error(keyword, "source can't be a URL for COPY: " + src);
                remotes.add(fetch(copy, src, session));
                read.update(("url " + src + " " + remotes.getLast().file().sha256() + "\n").getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (src.startsWith("git@") || src.endsWith(".git")) {
                throw at.error(keyword, src + ": Git sources are not supported by this builder");
            }
            try {
                List<String> found = tree.match(src);
                matched.addAll(found);
            } catch (NoSuchFileException e) {
                throw at.error(keyword, source.fromContext()
                        ? "file not found in build context or excluded by .dockerignore: " + src
                        : src + " not found in " + source.label());
            } catch (IllegalArgumentException e) {
                throw at.error(keyword, e.getMessage());
            }
        }
        int count = matched.size() + remotes.size() + inline.size();
        if (count == 0) throw at.error(keyword, "no source files were specified");
        if (count > 1 && !directoryTarget) {
            throw at.error(keyword, "when using " + keyword + " with more than one source file, the destination must be a "
                    + "directory and end with a /");
        }
        String files = tree.digest(matched);
        read.update(files.getBytes(StandardCharsets.UTF_8));
        String digest = HexFormat.of().formatHex(read.digest());
        key.append(' ').append(Metadata.json(matched)).append(' ').append(target).append(" files=").append(digest);
        String kind = count > 1 ? "multi" : matched.size() == 1 && isDirectory(tree, matched.getFirst()) ? "dir" : "file";
        String createdBy = "/bin/sh -c #(nop) " + keyword + " " + kind + ":" + digest + " in " + target + " ";

        boolean into = directoryTarget || count > 1;
        Step.Action action = rootfs -> {
            Path merged = rootfs.merged();
            Owner owner;
            try {
                owner = chown != null ? Accounts.resolve(merged, chown) : source.fromContext() ? Owner.ROOT : null;
            } catch (IllegalArgumentException e) {
                throw at.error(keyword, "--chown=" + chown + ": " + e.getMessage());
            }
            Copier copier = new Copier(merged, owner, chmod);
            for (String m : matched) {
                Path file = RootPath.existing(tree.root(), m);
                if (unpack && Archives.isArchive(file)) {
                    Path staging = session.scratch().resolve("extract-" + rootfs.id());
                    Files.createDirectories(staging);
                    try {
                        Archives.extract(file, staging);
                        SourceTree extracted = SourceTree.of(staging, IgnorePatterns.NONE);
                        new Copier(merged, chown != null ? owner : null, chmod).copy(extracted, ".", target, true);
                    } finally {
                        Session.deleteTree(staging);
                    }
                } else {
                    copier.copy(tree, m, target, into);
                }
            }
            long now = Instant.now().getEpochSecond();
            for (Inline i : inline) copier.writeFile(into ? Copier.join(target, i.name()) : target, i.content(), 0644, now);
            for (Remote r : remotes) {
                byte[] content = Files.readAllBytes(r.file().file());
                copier.writeFile(into ? Copier.join(target, r.file().name()) : target, content, 0600, r.file().modifiedSeconds());
            }
            copier.finish();
        };
        return new Step(key.toString(), createdBy, config, null, action);
    }

    /** WORKDIR: a path relative to the previous one, made (as the stage's user) if the image lacks it. */
    static Step workdir(Instruction.Workdir workdir, ConfigEditor config, ShellLexer lexer, Function<String, String> vars) {
        String path = lexer.word(workdir.path(), vars);
        if (path.isEmpty()) throw workdir.where().error("WORKDIR", "WORKDIR requires exactly one argument");
        String previous = config.workingDir == null || config.workingDir.isEmpty() ? "/" : config.workingDir;
        String absolute = Path.of(path.startsWith("/") ? path : Copier.join(previous, path)).normalize().toString();
        config.workingDir = absolute;
        String user = config.user;
        Step.Action action = rootfs -> {
            Owner owner = Owner.ROOT;
            if (user != null && !user.isEmpty()) {
                try {
                    owner = Accounts.resolve(rootfs.merged(), user);
                } catch (IllegalArgumentException e) {
                    owner = Owner.ROOT; // a user the image does not know yet (made by a later RUN) owns nothing here
                }
            }
            new Copier(rootfs.merged(), owner, null).directory(absolute);
        };
        return new Step("WORKDIR " + absolute, "/bin/sh -c #(nop) WORKDIR " + absolute, config, null, action);
    }

    private static Remote fetch(Instruction.Copy copy, String src, Session session) throws IOException {
        Downloads.Fetched fetched;
        try {
            fetched = Downloads.fetch(URI.create(src), session.scratch());
        } catch (IllegalArgumentException e) {
            throw copy.where().error("ADD", "invalid URL " + src);
        } catch (IOException e) {
            // Not the Dockerfile's fault: the build failed (exit 1), and the line says where.
            throw new IOException(copy.where().file() + ":" + copy.where().line() + ": ADD: " + e.getMessage(), e);
        }
        if (copy.checksum() != null && !copy.checksum().equals("sha256:" + fetched.sha256())) {
            throw copy.where().error("ADD", src + ": checksum mismatch: expected " + copy.checksum() + ", got sha256:"
                    + fetched.sha256());
        }
        return new Remote(URI.create(src), fetched);
    }

    private static boolean isUrl(String src) {
        return src.startsWith("http://") || src.startsWith("https://");
    }

    private static boolean isDirectory(SourceTree tree, String path) throws IOException {
        return Files.isDirectory(RootPath.resolve(tree.root(), path, true));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
