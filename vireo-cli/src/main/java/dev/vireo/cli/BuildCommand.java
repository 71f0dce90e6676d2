package dev.vireo.cli;

import dev.vireo.build.BuildListener;
import dev.vireo.build.BuildRequest;
import dev.vireo.build.BuildResult;
import dev.vireo.build.Builder;
import dev.vireo.build.StepFailedException;
import dev.vireo.oci.Digest;
import dev.vireo.oci.ImageRef;
import dev.vireo.image.ImageStore;
import dev.vireo.runtime.Stdio;
import dev.vireo.sys.Fd;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code vireo build} (as {@code docker build} and {@code buildah bud}) and {@code vireo builder
 * prune} (as {@code docker builder prune}). Progress goes to stderr, a line per step, with RUN's
 * output streamed as it comes; the image ID goes to stdout at the end.
 */
final class BuildCommand implements Command {
    private final boolean builder;

    /** {@code builder} true: the {@code vireo builder} verbs (prune) rather than {@code vireo build}. */
    BuildCommand(boolean builder) {
        this.builder = builder;
    }

    @Override
    public String summary() {
        return builder ? "the build cache: prune" : "build an image from a Dockerfile: -t NAME[:TAG] [-f FILE] [--build-arg K=V] "
                + "[--no-cache] [--target STAGE] CONTEXT";
    }

    @Override
    public int run(List<String> argv) throws IOException {
        return builder ? builderVerb(argv) : build(argv);
    }

    private int build(List<String> argv) throws IOException {
        Args args = Args.spec("build").option("--root").option("--tag", "-t").option("--file", "-f").option("--build-arg")
                .option("--target").flag("--no-cache").flag("--quiet", "-q").parse(argv);
        if (args.positionals().size() != 1) {
            throw new UsageException("usage: vireo build [-t NAME[:TAG]] [-f FILE] [--build-arg K=V] [--no-cache] [--target STAGE] CONTEXT");
        }
        String contextArg = args.positionals().getFirst();
        Path context = contextArg.equals("-") ? null : Path.of(contextArg);
        if (context != null && !Files.isDirectory(context)) throw new IllegalArgumentException("context " + context + " is not a directory");
        String fileArg = args.value("--file").orElse(null);
        byte[] dockerfile;
        String name;
        Path dockerfilePath = null;
        if ("-".equals(fileArg) || context == null) {
            if (fileArg != null && !fileArg.equals("-")) throw new UsageException("with the context on stdin (-), give no -f");
            dockerfile = System.in.readAllBytes();
            name = "Dockerfile";
        } else {
            dockerfilePath = fileArg != null ? Path.of(fileArg) : defaultDockerfile(context);
            if (!Files.isRegularFile(dockerfilePath)) throw new IllegalArgumentException("no Dockerfile at " + dockerfilePath);
            dockerfile = Files.readAllBytes(dockerfilePath);
            name = dockerfilePath.toString();
        }
        List<ImageRef> tags = new ArrayList<>();
        for (String t : args.values("--tag")) {
            try {
                tags.add(ImageRef.parse(t));
            } catch (RuntimeException e) {
                throw new UsageException("invalid tag '" + t + "': " + e.getMessage());
            }
        }
        Map<String, String> buildArgs = new LinkedHashMap<>();
        for (String kv : args.values("--build-arg")) {
            int eq = kv.indexOf('=');
            if (eq == 0) throw new UsageException("invalid --build-arg '" + kv + "': expected NAME=VALUE");
            if (eq > 0) buildArgs.put(kv.substring(0, eq), kv.substring(eq + 1));
            else if (System.getenv(kv) != null) buildArgs.put(kv, System.getenv(kv)); // docker takes NAME alone from the environment
        }
        byte[] ignore = dockerignore(context, dockerfilePath);
        boolean quiet = args.flag("--quiet");
        Path root = args.value("--root").map(Path::of).orElseGet(ImageStore::defaultRoot);
        ImageStore store = ImageStore.open(root);
        PrintStream err = System.err;
        Stdio output = quiet ? Stdio.nothing()
                : new Stdio(new Stdio.Null(), new Stdio.Descriptor(Fd.own(2)), new Stdio.Descriptor(Fd.own(2)));
        BuildListener listener = quiet ? BuildListener.NONE : new Printer(err);
        BuildRequest request = new BuildRequest(name, dockerfile, context, ignore, tags, buildArgs, args.flag("--no-cache"),
                args.value("--target").orElse(null));
        BuildResult result;
        try {
            result = new Builder(store, root.resolve("build"), listener, output).build(request);
        } catch (StepFailedException e) {
            err.println("vireo build: " + e.getMessage());
            return 1;
        }
        System.out.println(result.image().id().encoded());
        return 0;
    }

    /** Docker's {@code Dockerfile}, else buildah's {@code Containerfile}. */
    private static Path defaultDockerfile(Path context) {
        Path docker = context.resolve("Dockerfile");
        Path container = context.resolve("Containerfile");
        return Files.exists(docker) || !Files.exists(container) ? docker : container;
    }

    /** {@code <Dockerfile>.dockerignore} beside the Dockerfile wins over the context's {@code .dockerignore}. */
    private static byte[] dockerignore(Path context, Path dockerfile) throws IOException {
        if (dockerfile != null) {
            Path specific = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
            if (Files.isRegularFile(specific)) return Files.readAllBytes(specific);
        }
        if (context == null) return null;
        Path general = context.resolve(".dockerignore");
        return Files.isRegularFile(general) ? Files.readAllBytes(general) : null;
    }

    private int builderVerb(List<String> argv) throws IOException {
        if (argv.isEmpty() || !argv.getFirst().equals("prune")) throw new UsageException("usage: vireo builder prune [--root DIR]");
        Args args = Args.spec("builder prune").option("--root").flag("--all", "-a").flag("--force", "-f").parse(argv.subList(1, argv.size()));
        if (!args.positionals().isEmpty()) throw new UsageException("unexpected argument " + args.positionals().getFirst());
        Path root = args.value("--root").map(Path::of).orElseGet(ImageStore::defaultRoot);
        ImageStore store = ImageStore.open(root);
        Builder.CachePrune pruned = new Builder(store, root.resolve("build"), new Printer(System.err), Stdio.nothing()).pruneCache();
        System.out.println("Deleted build cache entries: " + pruned.entries());
        System.out.println("Total reclaimed space: " + Sizes.human(pruned.collected().bytes()));
        return 0;
    }

    /** buildah's progress lines. */
    private record Printer(PrintStream out) implements BuildListener {
        @Override
        public void step(int number, int total, String text) {
            out.println("STEP " + number + "/" + total + ": " + text);
        }

        @Override
        public void cached(Digest imageId) {
            out.println("--> Using cache " + imageId.encoded());
        }

        @Override
        public void stepDone(Digest imageId) {
            out.println("--> " + imageId.shortId());
        }

        @Override
        public void note(String message) {
            out.println(message);
        }
    }
}
