package dev.vireo.build.exec;

import dev.vireo.image.Rootfs;

import java.io.IOException;

/**
 * An instruction evaluated against the current state: the canonical text that keys its cache
 * entry (with everything but the parent image it depends on), the history line docker would
 * write, the configuration after it, and, for instructions that change files, what to do to a
 * root filesystem mounted from the parent's layers.
 */
record Step(String key, String createdBy, ConfigEditor config, String author, Action action) {

    /** A change to the files of a mounted root filesystem; its upper directory becomes the step's layer. */
    @FunctionalInterface
    interface Action {
        void apply(Rootfs rootfs) throws IOException;
    }

    /** A step that changes only the configuration. */
    static Step metadata(String key, ConfigEditor config) {
        return new Step(key, "/bin/sh -c #(nop) " + key, config, null, null);
    }
}
