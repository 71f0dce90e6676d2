package dev.vireo.cli;

import dev.vireo.image.Image;
import dev.vireo.image.ImageArchives;
import dev.vireo.image.ImageConfig;
import dev.vireo.image.ImageStore;
import dev.vireo.image.Json;
import dev.vireo.image.Layer;
import dev.vireo.image.PruneReport;
import dev.vireo.image.Rootfs;
import dev.vireo.image.StoredImage;
import dev.vireo.oci.Digest;
import dev.vireo.oci.ImageRef;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code vireo image ...} (and its Docker-style aliases {@code vireo images}, {@code vireo rmi}):
 * the local image store: list, inspect, tag, remove, prune, load, save, import a root filesystem.
 */
final class ImageCommand implements Command {
    private final String alias;

    ImageCommand() {
        this(null);
    }

    /** A top-level alias for one verb: {@code images} is {@code image ls}, {@code rmi} is {@code image rm}. */
    ImageCommand(String alias) {
        this.alias = alias;
    }

    @Override
    public String summary() {
        if ("ls".equals(alias)) return "list images (vireo image ls)";
        if ("rm".equals(alias)) return "remove images (vireo image rm)";
        return "images: ls, inspect, tag, rm, prune, load, save, import-rootfs, mount, commit, unmount";
    }

    @Override
    public int run(List<String> args) throws IOException {
        List<String> rest = args;
        String verb = alias;
        if (verb == null) {
            if (args.isEmpty()) throw new UsageException("usage: vireo image ls|inspect|tag|rm|prune|load|save|import-rootfs|mount|commit|unmount [ARGS...]");
            verb = args.getFirst();
            rest = args.subList(1, args.size());
        }
        return switch (verb) {
            case "ls", "list" -> list(rest);
            case "inspect" -> inspect(rest);
            case "tag" -> tag(rest);
            case "rm", "rmi", "remove" -> remove(rest);
            case "prune" -> prune(rest);
            case "load" -> load(rest);
            case "save" -> save(rest);
            case "import-rootfs" -> importRootfs(rest);
            case "mount" -> mount(rest);
            case "unmount", "umount" -> unmount(rest);
            case "commit" -> commit(rest);
            default -> throw new UsageException("unknown verb '" + verb + "' (ls, inspect, tag, rm, prune, load, save, import-rootfs, mount, commit, unmount)");
        };
    }

    private static Args.Spec spec(String verb) {
        return Args.spec("image " + verb).option("--root");
    }

    private static ImageStore store(Args args) throws IOException {
        return ImageStore.open(args.value("--root").map(Path::of).orElseGet(ImageStore::defaultRoot));
    }

    private int list(List<String> argv) throws IOException {
        Args args = spec("ls").flag("--quiet", "-q").flag("--digests").parse(argv);
        ImageStore store = store(args);
        List<String[]> rows = new ArrayList<>();
        List<StoredImage> entries = new ArrayList<>(store.list());
        entries.sort(java.util.Comparator.comparing(StoredImage::created).reversed());
        for (StoredImage entry : entries) {
            Image image = store.image(entry.target());
            if (args.flag("--quiet")) {
                System.out.println(image.id().shortId());
                continue;
            }
            ImageRef name = entry.name();
            rows.add(new String[] {
                    name == null ? "<none>" : name.familiarRepository(),
                    name == null || name.tag() == null ? "<none>" : name.tag(),
                    args.flag("--digests") ? entry.target().digest().toString() : null,
                    image.id().shortId(),
                    ago(created(image, entry)),
                    Sizes.human(image.size())});
        }
        if (args.flag("--quiet")) return 0;
        List<String> header = new ArrayList<>(List.of("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"));
        if (!args.flag("--digests")) header.remove("DIGEST");
        Table table = new Table(header);
        for (String[] row : rows) {
            List<String> cells = new ArrayList<>(List.of(row[0], row[1]));
            if (row[2] != null) cells.add(row[2]);
            cells.addAll(List.of(row[3], row[4], row[5]));
            table.add(cells);
        }
        table.print(System.out);
        return 0;
    }

    private int inspect(List<String> argv) throws IOException {
        Args args = spec("inspect").parse(argv);
        if (args.positionals().isEmpty()) throw new UsageException("usage: vireo image inspect IMAGE...");
        ImageStore store = store(args);
        List<Map<String, Object>> all = new ArrayList<>();
        for (String reference : args.positionals()) all.add(describe(store, store.resolve(reference)));
        System.out.println(Json.pretty(all));
        return 0;
    }

    private static Map<String, Object> describe(ImageStore store, Image image) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Id", image.id().toString());
        List<String> tags = new ArrayList<>();
        List<String> digests = new ArrayList<>();
        for (StoredImage entry : store.list()) {
            if (entry.name() == null) continue;
            try {
                if (!store.image(entry.target()).id().equals(image.id())) continue;
            } catch (IOException | IllegalArgumentException e) {
                continue;
            }
            tags.add(entry.name().familiar());
            digests.add(entry.name().familiarRepository() + "@" + entry.target().digest());
        }
        m.put("RepoTags", tags);
        m.put("RepoDigests", digests);
        m.put("Created", image.config().created());
        m.put("Author", image.config().author());
        m.put("Architecture", image.config().architecture());
        m.put("Os", image.config().os());
        m.put("Config", image.config().config());
        m.put("RootFS", Map.of("Type", "layers", "Layers", image.config().diffIds()));
        m.put("Size", image.size());
        m.put("Manifest", Map.of("Digest", image.manifestDigest().toString(), "MediaType", image.manifest().mediaType()));
        List<Map<String, Object>> layers = new ArrayList<>();
        for (Layer layer : image.layers()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("Digest", layer.blob().digest().toString());
            l.put("MediaType", layer.blob().mediaType());
            l.put("Size", layer.blob().size());
            l.put("DiffID", layer.diffId().toString());
            l.put("ChainID", layer.chainId().toString());
            layers.add(l);
        }
        m.put("Layers", layers);
        m.put("History", image.config().history());
        return m;
    }

    private int tag(List<String> argv) throws IOException {
        Args args = spec("tag").parse(argv);
        String source = args.positional(0, "source image");
        String target = args.positional(1, "target name");
        ImageStore store = store(args);
        Image image = store.resolve(source);
        store.tag(ImageRef.parse(target), image.descriptor());
        return 0;
    }

    private int remove(List<String> argv) throws IOException {
        Args args = spec("rm").flag("--force", "-f").parse(argv);
        if (args.positionals().isEmpty()) throw new UsageException("usage: vireo rmi [-f] IMAGE...");
        ImageStore store = store(args);
        for (String reference : args.positionals()) {
            for (String line : store.remove(reference, args.flag("--force"))) System.out.println(line);
        }
        return 0;
    }

    private int prune(List<String> argv) throws IOException {
        Args args = spec("prune").flag("--force", "-f").parse(argv);
        ImageStore store = store(args);
        PruneReport report = store.prune();
        for (Digest image : report.images()) System.out.println("Deleted image: " + image);
        System.out.printf("Deleted %d blobs, %d layer snapshots, %d temporary files%n",
                report.blobs().size(), report.snapshots().size(), report.temporaries());
        System.out.println("Total reclaimed space: " + Sizes.human(report.bytes()));
        return 0;
    }

    private int load(List<String> argv) throws IOException {
        Args args = spec("load").option("--input", "-i").option("--tag", "-t").flag("--quiet", "-q").parse(argv);
        if (!args.positionals().isEmpty()) throw new UsageException("unexpected argument " + args.positionals().getFirst());
        ImageStore store = store(args);
        ImageRef rename = args.value("--tag").map(ImageRef::parse).orElse(null);
        ProgressPrinter progress = new ProgressPrinter(args.flag("--quiet"));
        List<ImageArchives.Loaded> loaded;
        String input = args.value("--input").orElse("-");
        if (input.equals("-")) {
            if (System.console() != null) throw new UsageException("give an archive with -i FILE or on stdin");
            loaded = ImageArchives.load(store, System.in, rename, progress);
        } else if (!Files.exists(Path.of(input))) {
            throw new IllegalArgumentException("no such file or directory: " + input);
        } else if (Files.isDirectory(Path.of(input))) {
            loaded = ImageArchives.load(store, Path.of(input), rename, progress);
        } else {
            try (InputStream in = Files.newInputStream(Path.of(input))) {
                loaded = ImageArchives.load(store, in, rename, progress);
            }
        }
        progress.done();
        for (ImageArchives.Loaded l : loaded) {
            if (l.names().isEmpty()) {
                System.out.println("Loaded image ID: " + (l.image() == null ? l.target().digest() : l.image().id()));
            }
            for (ImageRef name : l.names()) System.out.println("Loaded image: " + name.familiar());
        }
        return 0;
    }

    private int save(List<String> argv) throws IOException {
        Args args = spec("save").option("--output", "-o").option("--format").parse(argv);
        if (args.positionals().isEmpty()) throw new UsageException("usage: vireo image save [-o FILE] [--format oci|docker] IMAGE...");
        ImageArchives.Format format = switch (args.value("--format").orElse("oci")) {
            case "oci" -> ImageArchives.Format.OCI;
            case "docker" -> ImageArchives.Format.DOCKER;
            default -> throw new UsageException("--format is oci or docker");
        };
        ImageStore store = store(args);
        ProgressPrinter progress = new ProgressPrinter(false);
        String output = args.value("--output").orElse("-");
        if (output.equals("-")) {
            if (System.console() != null) throw new UsageException("refusing to write an archive to a terminal; use -o FILE");
            OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
            ImageArchives.save(store, args.positionals(), out, format, progress);
            out.flush();
        } else {
            Path target = Path.of(output).toAbsolutePath();
            Path temp = target.resolveSibling("." + target.getFileName() + ".partial");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
                ImageArchives.save(store, args.positionals(), out, format, progress);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
            Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        progress.done();
        return 0;
    }

    private int importRootfs(List<String> argv) throws IOException {
        Args args = spec("import-rootfs").option("--tag", "-t").option("--cmd").option("--env", "-e").flag("--quiet", "-q").parse(argv);
        Path source = Path.of(args.positional(0, "root filesystem (a directory or a tar)"));
        if (!Files.exists(source)) throw new IllegalArgumentException("no such file or directory: " + source);
        ImageRef name = ImageRef.parse(args.required("--tag"));
        ImageStore store = store(args);
        ProgressPrinter progress = new ProgressPrinter(args.flag("--quiet"));
        Image image = ImageArchives.importRootfs(store, source, name, args.values("--cmd"), args.values("--env"), progress);
        progress.done();
        System.out.println(image.id());
        return 0;
    }

    /** Mounts an image's layers with a new writable layer on top (as {@code buildah mount}); prints the mount point. */
    private int mount(List<String> argv) throws IOException {
        Args args = spec("mount").parse(argv);
        String reference = args.positional(0, "image");
        String id = args.positional(1, "name for the root filesystem");
        ImageStore store = store(args);
        Rootfs rootfs = store.prepareRootfs(id, store.resolve(reference), new ProgressPrinter(true));
        System.out.println(rootfs.merged());
        return 0;
    }

    /** Makes the writable layer of a mounted root filesystem a new image on top of the one it came from. */
    private int commit(List<String> argv) throws IOException {
        Args args = spec("commit").option("--tag", "-t").option("--message", "-m").parse(argv);
        String id = args.positional(0, "root filesystem name");
        ImageRef name = ImageRef.parse(args.required("--tag"));
        ImageStore store = store(args);
        Rootfs rootfs = store.describeRootfs(id);
        Image base = store.resolve(rootfs.image().toString());
        Image image;
        try (ImageStore.Lease _ = store.lease()) {
            Layer layer = store.commitLayer(base.topChainId(), rootfs.upper(), true, new ProgressPrinter(true));
            String created = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            ImageConfig config = base.config()
                    .withLayer(layer.diffId(), new ImageConfig.History(created, "vireo image commit " + id, null,
                            args.value("--message").orElse(null), null))
                    .withCreated(created);
            List<Layer> layers = new ArrayList<>(base.layers());
            layers.add(layer);
            image = store.commit(config, layers);
            store.tag(name, image.descriptor());
        }
        System.out.println(image.id());
        return 0;
    }

    private int unmount(List<String> argv) throws IOException {
        Args args = spec("unmount").parse(argv);
        String id = args.positional(0, "root filesystem name");
        if (!store(args).removeRootfs(id)) throw new IllegalArgumentException("no root filesystem named " + id);
        return 0;
    }

    private static Instant created(Image image, StoredImage entry) {
        try {
            return image.config().created() == null ? entry.created() : Instant.parse(image.config().created());
        } catch (DateTimeParseException e) {
            return entry.created();
        }
    }

    /** "3 minutes ago", as {@code docker images} shows it. */
    static String ago(Instant then) {
        if (then == null || then.equals(Instant.EPOCH)) return "N/A";
        Duration d = Duration.between(then, Instant.now());
        if (d.isNegative() || d.toSeconds() < 60) return "Less than a minute ago";
        if (d.toMinutes() < 60) return plural(d.toMinutes(), "minute");
        if (d.toHours() < 48) return plural(d.toHours(), "hour");
        if (d.toDays() < 14) return plural(d.toDays(), "day");
        if (d.toDays() < 60) return plural(d.toDays() / 7, "week");
        if (d.toDays() < 730) return plural(d.toDays() / 30, "month");
        return plural(d.toDays() / 365, "year");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s") + " ago";
    }
}
