package dev.vireo.build.exec;

import dev.vireo.build.BuildListener;
import dev.vireo.build.cache.BuildCache;
import dev.vireo.build.context.IgnorePatterns;
import dev.vireo.build.context.SourceTree;
import dev.vireo.build.dockerfile.Dockerfile;
import dev.vireo.build.dockerfile.DockerfileParser;
import dev.vireo.build.dockerfile.Instruction;
import dev.vireo.build.dockerfile.Location;
import dev.vireo.build.dockerfile.ShellLexer;
import dev.vireo.build.dockerfile.Stage;
import dev.vireo.oci.BadContentException;
import dev.vireo.image.Image;
import dev.vireo.image.ImageConfig;
import dev.vireo.image.ImageStore;
import dev.vireo.image.Layer;
import dev.vireo.image.NoSuchImageException;
import dev.vireo.oci.Platform;
import dev.vireo.image.Progress;
import dev.vireo.image.Rootfs;
import dev.vireo.runtime.Stdio;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds one stage: resolves its FROM, runs its ONBUILD triggers, then takes each instruction as
 * a step from one {@link State} to the next. A step's key is looked up in the {@link BuildCache}
 * first; on a miss the step runs (in a mounted root filesystem when it changes files), its image
 * is committed to the store and recorded under the key.
 */
final class StageBuilder {
    /** What all stages of one build share. */
    record Build(ImageStore store, BuildCache cache, Session session, Dockerfile dockerfile, SourceTree context,
                 BuildArgs buildArgs, Map<String, String> globals, boolean noCache, BuildListener listener, Stdio output,
                 Map<Integer, Finished> finished, Counter counter) {}

    /** A built stage: its result and the ARGs it declared (a stage FROM it inherits them). */
    record Finished(State state, Scope scope) {}

    /** Step numbers across the stages of a build, and how many steps came from the cache. */
    static final class Counter {
        final int total;
        int number;
        int cached;

        Counter(int total) {
            this.total = total;
        }
    }

    private final Build build;
    private final Stage stage;
    private final ShellLexer lexer;
    private State state;
    private Scope scope;
    private boolean cmdSetInStage;

    StageBuilder(Build build, Stage stage) {
        this.build = build;
        this.stage = stage;
        this.lexer = build.dockerfile().lexer();
    }

    Finished run() throws IOException {
        from(stage.from());
        for (Instruction instruction : stage.instructions()) {
            build.listener().step(++build.counter().number, build.counter().total, instruction.text().strip());
            step(instruction, label(instruction));
        }
        if (state.manifest() == null) {
            // Nothing after FROM scratch: the stage's image is the empty one.
            state = State.of(build.store().commit(state.config(), state.layers()));
        }
        return new Finished(state, scope);
    }

    private String label(Instruction instruction) {
        Location at = instruction.where();
        return "STEP " + build.counter().number + "/" + build.counter().total + " (" + at.file() + ":" + at.line() + " "
                + instruction.keyword() + ")";
    }

    private void from(Instruction.From from) throws IOException {
        build.listener().step(++build.counter().number, build.counter().total, from.text().strip());
        String image = word(from, from.image(), build.globals()::get);
        if (from.platform() != null) {
            String platform = word(from, from.platform(), build.globals()::get);
            if (!sameAsHost(platform)) {
                throw from.where().error("FROM", "--platform=" + platform + ": this builder makes images for "
                        + Platform.host() + " only (it runs no foreign binaries)");
            }
        }
        scope = new Scope(build.buildArgs(), build.globals());
        Optional<Stage> earlier = image.contains(":") || image.contains("/") ? Optional.empty()
                : build.dockerfile().stages().stream().filter(s -> s.index() < stage.index() && image.equalsIgnoreCase(s.name())).findFirst();
        if (image.equalsIgnoreCase("scratch")) {
            state = State.uncommitted(ImageConfig.scratch(), List.of());
        } else if (earlier.isPresent()) {
            Finished base = build.finished().get(earlier.get().index());
            state = base.state();
            scope.inherit(base.scope());
        } else {
            Image base = resolve(from, image);
            state = State.of(base);
            List<String> triggers = state.container().onBuild();
            if (triggers != null && !triggers.isEmpty()) {
                ConfigEditor cleared = new ConfigEditor(state.container());
                // Triggers run once, in the image built FROM this one; they are not passed on.
                cleared.onBuild = null;
                state = State.uncommitted(withContainer(state.config(), cleared.build()), state.layers());
                build.listener().note("--> Executing " + triggers.size() + " build trigger" + (triggers.size() == 1 ? "" : "s"));
                for (String trigger : triggers) {
                    Instruction parsed = DockerfileParser.trigger(trigger, from.where(), build.dockerfile().escape());
                    build.listener().note("--> ONBUILD " + trigger);
                    step(parsed, label(from) + " ONBUILD " + trigger);
                }
                return; // each trigger reported its own image
            }
        }
        if (state.manifest() != null) build.listener().stepDone(state.id());
    }

    private Image resolve(Instruction.From from, String reference) throws IOException {
        Image image;
        try {
            image = build.store().resolve(reference);
        } catch (NoSuchImageException e) {
            throw from.where().error("FROM", reference + ": no such image in the local store (vireo pull or vireo image load it first)");
        } catch (BadContentException e) {
            throw from.where().error("FROM", e.getMessage());
        }
        String arch = image.config().architecture();
        if (arch != null && !arch.equals(Platform.host().architecture())) {
            throw from.where().error("FROM", reference + " is an image for " + image.config().os() + "/" + arch
                    + ", not " + Platform.host());
        }
        build.store().unpack(image, Progress.NONE);
        return image;
    }

    /** One instruction: its ARG bookkeeping, then the step through the cache. */
    private void step(Instruction instruction, String label) throws IOException {
        scope.environment(state.container().env());
        ConfigEditor config = new ConfigEditor(state.container());
        Step step;
        Rootfs source = null;
        try {
            switch (instruction) {
                case Instruction.Arg arg -> {
                    try {
                        scope.declare(arg, lexer);
                    } catch (ShellLexer.SyntaxError e) {
                        throw arg.where().error("ARG", e.getMessage());
                    }
                    List<String> parts = new ArrayList<>();
                    for (Instruction.KeyValue kv : arg.args()) {
                        String name = lexer.word(kv.key(), scope::lookup);
                        String value = scope.runArgs().get(name);
                        parts.add(value == null ? name : name + "=" + value);
                    }
                    step = Step.metadata("ARG " + String.join(" ", parts), config);
                }
                case Instruction.Run run -> step = RunStep.evaluate(run, state.config(), config, scope, build.session(),
                        build.output(), label);
                case Instruction.Workdir w -> step = CopyStep.workdir(w, config, lexer, scope::lookup);
                case Instruction.Copy copy -> {
                    CopyStep.Source from;
                    if (copy.from() == null) {
                        if (build.context() == null) throw copy.where().error(copy.keyword(), "this build has no context to copy from");
                        from = new CopyStep.Source(build.context(), "context", true);
                    } else {
                        String name = word(copy, copy.from(), scope::lookup);
                        State origin = fromState(copy, name);
                        source = build.store().prepareRootfs(build.session().newId(), origin.layers(), null);
                        from = new CopyStep.Source(SourceTree.of(source.merged(), IgnorePatterns.NONE), name + "@" + origin.id(), false);
                    }
                    step = CopyStep.evaluate(copy, config, lexer, scope::lookup, from, build.session());
                }
                default -> {
                    if (instruction instanceof Instruction.Cmd) cmdSetInStage = true;
                    step = Metadata.evaluate(instruction, new Metadata.Input(lexer, scope::lookup, config, cmdSetInStage));
                }
            }
            apply(step);
        } catch (ShellLexer.SyntaxError e) {
            throw instruction.where().error(instruction.keyword(), e.getMessage());
        } finally {
            if (source != null) build.store().removeRootfs(source.id());
        }
    }

    /** The image COPY --from names: an earlier stage (by name or index), else an image in the store. */
    private State fromState(Instruction.Copy copy, String name) throws IOException {
        Optional<Stage> earlier = build.dockerfile().stage(name, stage.index());
        if (earlier.isPresent()) {
            Finished done = build.finished().get(earlier.get().index());
            if (done == null) throw copy.where().error(copy.keyword(), "stage " + name + " was not built");
            return done.state();
        }
        if (build.dockerfile().stage(name, Integer.MAX_VALUE).isPresent()) {
            throw copy.where().error(copy.keyword(), "--from=" + name + " names this stage or a later one");
        }
        try {
            Image image = build.store().resolve(name);
            build.store().unpack(image, Progress.NONE);
            return State.of(image);
        } catch (NoSuchImageException | BadContentException e) {
            throw copy.where().error(copy.keyword(), "--from=" + name + ": no such stage, and no such image in the local store");
        }
    }

    /** Takes a step through the cache: its image from there, or made now and recorded. */
    private void apply(Step step) throws IOException {
        String key = BuildCache.key(state.id(), step.key());
        if (!build.noCache()) {
            Optional<Image> hit = build.cache().lookup(key);
            if (hit.isPresent()) {
                state = State.of(hit.get());
                build.counter().cached++;
                build.listener().cached(state.id());
                build.listener().stepDone(state.id());
                return;
            }
        }
        Layer layer = step.action() == null ? null : change(step.action());
        String now = Instant.now().toString();
        ImageConfig.History history = new ImageConfig.History(now, step.createdBy(), null, null, layer == null ? Boolean.TRUE : null);
        ImageConfig c = state.config();
        ImageConfig next = new ImageConfig(now, step.author() != null ? step.author() : c.author(), c.architecture(), c.os(),
                c.variant(), step.config().build(), c.rootfs(), c.history());
        next = layer == null ? next.withContainer(next.config(), history) : next.withLayer(layer.diffId(), history);
        List<Layer> layers = new ArrayList<>(state.layers());
        if (layer != null) layers.add(layer);
        Image image = build.store().commit(next, layers);
        build.cache().record(key, image);
        state = State.of(image);
        build.listener().stepDone(state.id());
    }

    /** Runs an action on a root filesystem of the current layers; its upper directory, if not empty, is the new layer. */
    private Layer change(Step.Action action) throws IOException {
        ImageStore store = build.store();
        String id = build.session().newId();
        Rootfs rootfs = store.prepareRootfs(id, state.layers(), null);
        try {
            action.apply(rootfs);
            store.unmountRootfs(id);
            try (var entries = Files.list(rootfs.upper())) {
                if (entries.findAny().isEmpty()) return null;
            }
            return store.commitLayer(state.topChainId(), rootfs.upper(), true, Progress.NONE);
        } finally {
            store.removeRootfs(id);
        }
    }

    private String word(Instruction instruction, String text, java.util.function.Function<String, String> vars) {
        try {
            return lexer.word(text, vars);
        } catch (ShellLexer.SyntaxError e) {
            throw instruction.where().error(instruction.keyword(), e.getMessage());
        }
    }

    private static boolean sameAsHost(String platform) {
        String[] parts = platform.split("/");
        Platform host = Platform.host();
        String arch = parts.length > 1 ? parts[1] : "";
        if (arch.equals("x86_64")) arch = "amd64";
        if (arch.equals("aarch64")) arch = "arm64";
        return parts[0].equals(host.os()) && arch.equals(host.architecture());
    }

    private static ImageConfig withContainer(ImageConfig c, ImageConfig.Container container) {
        return new ImageConfig(c.created(), c.author(), c.architecture(), c.os(), c.variant(), container, c.rootfs(), c.history());
    }
}
