package dev.vireo.build;

import dev.vireo.oci.Digest;

/**
 * Where a build reports its progress, step by step, as buildah prints it: {@code STEP 3/10: RUN
 * ...}, then {@code --> Using cache <id>} for a step the cache had, and {@code --> <id>} once a
 * step's image is there. RUN's own output goes to the {@link dev.vireo.runtime.Stdio} the
 * {@link Builder} was given.
 */
public interface BuildListener {
    BuildListener NONE = new BuildListener() {};

    /** Step {@code number} of {@code total} begins; {@code text} is the instruction as written. */
    default void step(int number, int total, String text) {}

    /** The step's result came from the cache. */
    default void cached(Digest imageId) {}

    /** The step's image is in the store (made now, or taken from the cache). */
    default void stepDone(Digest imageId) {}

    /** Anything else worth a line: warnings, ONBUILD triggers, the final tags. */
    default void note(String message) {}
}
