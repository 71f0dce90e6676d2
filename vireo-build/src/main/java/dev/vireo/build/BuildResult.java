package dev.vireo.build;

import dev.vireo.image.Image;
import dev.vireo.oci.ImageRef;

import java.util.List;

/** The image a build made, the names it got, and how many of its steps ran and came from the cache. */
public record BuildResult(Image image, List<ImageRef> tags, int steps, int cached) {
    public BuildResult {
        tags = List.copyOf(tags);
    }
}
