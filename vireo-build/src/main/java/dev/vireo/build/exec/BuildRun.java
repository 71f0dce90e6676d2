package dev.vireo.build.exec;

import dev.vireo.build.BuildListener;
import dev.vireo.build.BuildRequest;
import dev.vireo.build.BuildResult;
import dev.vireo.build.DockerfileException;
import dev.vireo.build.cache.BuildCache;
import dev.vireo.build.context.IgnorePatterns;
import dev.vireo.build.context.SourceTree;
import dev.vireo.build.dockerfile.Dockerfile;
import dev.vireo.build.dockerfile.DockerfileParser;
import dev.vireo.build.dockerfile.Instruction;
import dev.vireo.build.dockerfile.ShellLexer;
import dev.vireo.build.dockerfile.Stage;
import dev.vireo.image.Image;
import dev.vireo.oci.ImageRef;
import dev.vireo.image.ImageStore;
import dev.vireo.oci.Platform;
import dev.vireo.runtime.Stdio;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** One build from request to named image: parse, choose the stages the target needs, build them in order, tag. */
public final class BuildRun {
    private BuildRun() {}

    public static BuildResult run(ImageStore store, Path work, BuildListener listener, Stdio output, BuildRequest request)
            throws IOException {
        Dockerfile dockerfile = DockerfileParser.parse(request.dockerfileName(), request.dockerfile());
        dockerfile.warnings().forEach(w -> listener.note("[Warning] " + w));
        BuildArgs buildArgs = new BuildArgs(request.buildArgs());
        Scope global = new Scope(buildArgs, Map.of()).predefine(platformArgs());
        for (Instruction.Arg arg : dockerfile.globalArgs()) {
            try {
                global.declare(arg, dockerfile.lexer());
            } catch (ShellLexer.SyntaxError e) {
                throw arg.where().error("ARG", e.getMessage());
            }
        }
        Stage target = target(dockerfile, request.target());
        List<Stage> stages = needed(dockerfile, target, global.declared());
        int total = stages.stream().mapToInt(s -> 1 + s.instructions().size()).sum();
        SourceTree context = request.context() == null ? null : SourceTree.of(request.context(),
                request.dockerignore() == null ? IgnorePatterns.NONE : ignore(request));
        try (ImageStore.Lease _ = store.lease(); Session session = Session.open(store, work, listener::note)) {
            StageBuilder.Counter counter = new StageBuilder.Counter(total);
            Map<Integer, StageBuilder.Finished> finished = new LinkedHashMap<>();
            StageBuilder.Build build = new StageBuilder.Build(store, new BuildCache(store), session, dockerfile, context,
                    buildArgs, global.declared(), request.noCache(), listener, output, finished, counter);
            for (Stage stage : stages) finished.put(stage.index(), new StageBuilder(build, stage).run());
            Image image = store.image(finished.get(target.index()).state().manifest());
            if (request.tags().isEmpty()) store.record(image.descriptor());
            for (ImageRef tag : request.tags()) {
                // A rebuild that changed nothing leaves the name where it is: no index write.
                boolean already = store.lookup(tag).map(d -> d.digest().equals(image.manifestDigest())).orElse(false);
                if (!already) store.tag(tag, image.descriptor());
                listener.note("Successfully tagged " + tag);
            }
            List<String> unused = buildArgs.unused();
            if (!unused.isEmpty()) listener.note("[Warning] one or more build args were not consumed: " + unused);
            return new BuildResult(image, request.tags(), counter.number, counter.cached);
        }
    }

    /** Drops every cache entry; opening a session on the way removes what killed builds left. */
    public static int clearCache(ImageStore store, Path work, BuildListener listener) throws IOException {
        try (Session _ = Session.open(store, work, listener::note)) {
            return new BuildCache(store).clear();
        }
    }

    private static IgnorePatterns ignore(BuildRequest request) {
        try {
            return IgnorePatterns.parse(request.dockerignore());
        } catch (IllegalArgumentException e) {
            throw new DockerfileException(".dockerignore", 1, null, e.getMessage());
        }
    }

    private static Stage target(Dockerfile dockerfile, String name) {
        if (name == null) return dockerfile.stages().getLast();
        return dockerfile.stages().stream().filter(s -> name.equalsIgnoreCase(s.name())).findFirst()
                .orElseThrow(() -> new DockerfileException(dockerfile.file(), dockerfile.stages().getLast().from().where().line(),
                        null, "target stage \"" + name + "\" could not be found"));
    }

    /**
     * The stages {@code target} depends on through FROM and COPY --from, and itself, in file
     * order. A --from whose value needs a stage's own ARGs cannot be known before the stage runs:
     * then every earlier stage is built, as the legacy builder builds them all.
     */
    static List<Stage> needed(Dockerfile dockerfile, Stage target, Map<String, String> globals) {
        TreeSet<Integer> needed = new TreeSet<>();
        List<Stage> pending = new ArrayList<>(List.of(target));
        while (!pending.isEmpty()) {
            Stage s = pending.removeLast();
            if (!needed.add(s.index())) continue;
            String base;
            try {
                base = dockerfile.lexer().word(s.from().image(), globals::get);
            } catch (ShellLexer.SyntaxError e) {
                throw s.from().where().error("FROM", e.getMessage());
            }
            dockerfile.stages().stream().filter(e -> e.index() < s.index() && base.equalsIgnoreCase(e.name()))
                    .findFirst().ifPresent(pending::add);
            for (Instruction i : s.instructions()) {
                if (!(i instanceof Instruction.Copy c) || c.from() == null) continue;
                if (c.from().contains("$")) {
                    for (Stage earlier : dockerfile.stages()) if (earlier.index() < s.index()) pending.add(earlier);
                } else {
                    dockerfile.stage(c.from(), s.index()).ifPresent(pending::add);
                }
            }
        }
        return needed.stream().map(dockerfile.stages()::get).toList();
    }

    /** BuildKit's automatic platform ARGs; builds here are native, so build and target platforms agree. */
    private static Map<String, String> platformArgs() {
        Platform p = Platform.host();
        Map<String, String> args = new LinkedHashMap<>();
        for (String prefix : List.of("TARGET", "BUILD")) {
            args.put(prefix + "PLATFORM", p.os() + "/" + p.architecture());
            args.put(prefix + "OS", p.os());
            args.put(prefix + "ARCH", p.architecture());
            args.put(prefix + "VARIANT", "");
        }
        return args;
    }
}
