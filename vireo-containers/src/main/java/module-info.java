/** Containers from images, daemonless as podman runs them: image config to runtime config, and the container lifecycle. */
module dev.vireo.containers {
    requires transitive dev.vireo.image;
    requires transitive dev.vireo.runtime;
    requires com.fasterxml.jackson.core;

    exports dev.vireo.containers;
}
