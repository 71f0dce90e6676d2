package dev.vireo.build;

import dev.vireo.build.exec.BuildRun;
import dev.vireo.image.ImageStore;
import dev.vireo.image.PruneReport;
import dev.vireo.runtime.Stdio;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A daemonless Dockerfile builder, as buildah is: the build runs in the calling process, with the
 * image store for layers and images and the container runtime for RUN steps. Each step's result
 * is cached (see {@code dev.vireo.build.cache.BuildCache}), so a build of an unchanged Dockerfile
 * and context runs nothing and makes nothing new.
 */
public final class Builder {
    private final ImageStore store;
    private final Path work;
    private final BuildListener listener;
    private final Stdio output;

    /**
     * A builder over {@code store}, keeping its own state (RUN containers, scratch files) under
     * {@code work}; RUN's output goes to {@code output}.
     */
    public Builder(ImageStore store, Path work, BuildListener listener, Stdio output) {
        this.store = store;
        this.work = work;
        this.listener = listener;
        this.output = output;
    }

    /**
     * Builds {@code request}. A malformed Dockerfile or a step that cannot be evaluated throws
     * {@link DockerfileException}; a RUN that fails throws {@link StepFailedException}.
     */
    public BuildResult build(BuildRequest request) throws IOException {
        return BuildRun.run(store, work, listener, output, request);
    }

    /**
     * Forgets the build cache, removes what builds killed midway left (their containers and
     * root filesystems), and collects what only those kept; says how many entries there were
     * and what was freed.
     */
    public CachePrune pruneCache() throws IOException {
        int entries = BuildRun.clearCache(store, work, listener);
        return new CachePrune(entries, store.collectGarbage());
    }

    /** What {@link #pruneCache} removed. */
    public record CachePrune(int entries, PruneReport collected) {}
}
