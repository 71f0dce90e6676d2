package dev.vireo.build;

import dev.vireo.oci.ImageRef;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What to build: the Dockerfile (its content, and the name messages give it), the context
 * directory COPY and ADD read from ({@code null}: no context), the .dockerignore content that
 * applies ({@code null}: none), the names to give the result, {@code --build-arg} values,
 * whether to bypass the cache, and the stage to stop at ({@code null}: the last).
 */
public record BuildRequest(String dockerfileName, byte[] dockerfile, Path context, byte[] dockerignore, List<ImageRef> tags,
                           Map<String, String> buildArgs, boolean noCache, String target) {
    public BuildRequest {
        tags = List.copyOf(tags);
        buildArgs = Map.copyOf(buildArgs);
    }
}
